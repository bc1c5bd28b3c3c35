//! A layered layout of a directed graph (Sugiyama style), for the
//! prerequisite graph: each connected component apart; layers by the
//! longest chain of prerequisites; edges longer than one layer routed
//! through dummy points so that no edge runs through a box; the order in
//! each layer by barycentre sweeps, keeping the order with the fewest
//! crossings (the first order wins ties, so the result is deterministic).
//!
//! Linear in the edges per sweep, with a fixed number of sweeps.

/// Where each node goes: `(layer, row)` in a grid, rows counted across
/// the components stacked top to bottom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// Per node: `(layer, row)`; `None` for nodes without edges.
    pub place: Vec<Option<(usize, usize)>>,
    /// Per edge: the `(layer, row)` points it passes between its ends.
    pub bends: Vec<Vec<(usize, usize)>>,
    pub layers: usize,
    pub rows: usize,
    /// Edge crossings left (between adjacent layers).
    pub crossings: usize,
}

const SWEEPS: usize = 12;

/// Lays out `n` nodes with `edges` (from, to); nodes keep their given order
/// as the starting order.
pub fn layout(n: usize, edges: &[(usize, usize)]) -> Layout {
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a < n && b < n && a != b {
            adj[a].push(b);
            adj[b].push(a);
        }
    }
    // Components, in order of their first node.
    let mut comp = vec![usize::MAX; n];
    let mut comps: Vec<Vec<usize>> = Vec::new();
    for start in 0..n {
        if comp[start] != usize::MAX || adj[start].is_empty() {
            continue;
        }
        let id = comps.len();
        let mut members = vec![start];
        comp[start] = id;
        let mut i = 0;
        while i < members.len() {
            let v = members[i];
            i += 1;
            for &w in &adj[v] {
                if comp[w] == usize::MAX {
                    comp[w] = id;
                    members.push(w);
                }
            }
        }
        members.sort_unstable();
        comps.push(members);
    }
    let layer = layers(n, edges);
    let mut out = Layout {
        place: vec![None; n],
        bends: vec![Vec::new(); edges.len()],
        ..Layout::default()
    };
    let mut row_base = 0;
    for members in &comps {
        let (rows, crossings) = place_component(members, edges, &layer, &comp, row_base, &mut out);
        row_base += rows;
        out.crossings += crossings;
    }
    out.rows = row_base;
    out.layers = out.place.iter().flatten().map(|(l, _)| l + 1).max().unwrap_or(0);
    out
}

/// Longest-path layering; edges closing a cycle are ignored (a cycle is a
/// diagnostic of its own).
fn layers(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut layer = vec![0usize; n];
    // Kahn's order over the graph; nodes on a cycle keep layer 0 relative
    // to what reaches them.
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a < n && b < n && a != b {
            indeg[b] += 1;
            out[a].push(b);
        }
    }
    let mut queue: Vec<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut i = 0;
    while i < queue.len() {
        let v = queue[i];
        i += 1;
        for &w in &out[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                queue.push(w);
            }
        }
    }
    layer
}

/// A grid item: a node or a dummy point of edge `e` at its `k`th bend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Node(usize),
    Dummy(usize, usize),
}

fn place_component(
    members: &[usize],
    edges: &[(usize, usize)],
    layer: &[usize],
    comp: &[usize],
    row_base: usize,
    out: &mut Layout,
) -> (usize, usize) {
    let id = comp[members[0]];
    let depth = members.iter().map(|&v| layer[v]).max().unwrap_or(0) + 1;
    let mut grid: Vec<Vec<Item>> = vec![Vec::new(); depth];
    for &v in members {
        grid[layer[v]].push(Item::Node(v));
    }
    // Segments between adjacent layers: (upper item, lower item).
    let mut segs: Vec<(Item, Item)> = Vec::new();
    let mut routed: Vec<usize> = Vec::new();
    for (e, &(a, b)) in edges.iter().enumerate() {
        if a >= comp.len() || b >= comp.len() || comp[a] != id || a == b || layer[b] <= layer[a] {
            continue;
        }
        routed.push(e);
        let mut prev = Item::Node(a);
        for (k, l) in (layer[a] + 1..layer[b]).enumerate() {
            let d = Item::Dummy(e, k);
            grid[l].push(d);
            segs.push((prev, d));
            prev = d;
        }
        segs.push((prev, Item::Node(b)));
    }
    let layer_of = |it: Item| -> usize {
        match it {
            Item::Node(v) => layer[v],
            Item::Dummy(e, k) => layer[edges[e].0] + 1 + k,
        }
    };
    let mut best = grid.clone();
    let mut best_x = crossings(&grid, &segs, &layer_of);
    for sweep in 0..SWEEPS {
        if best_x == 0 {
            break;
        }
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..depth).collect()
        } else {
            (0..depth.saturating_sub(1)).rev().collect()
        };
        for l in order {
            let fixed = if down { l - 1 } else { l + 1 };
            let pos = |it: Item| grid[fixed].iter().position(|x| *x == it);
            let mut keyed: Vec<(f64, usize, Item)> = grid[l]
                .iter()
                .enumerate()
                .map(|(i, &it)| {
                    let ns: Vec<usize> = segs
                        .iter()
                        .filter_map(|&(u, w)| {
                            if down && w == it {
                                pos(u)
                            } else if !down && u == it {
                                pos(w)
                            } else {
                                None
                            }
                        })
                        .collect();
                    let key = if ns.is_empty() {
                        i as f64
                    } else {
                        ns.iter().sum::<usize>() as f64 / ns.len() as f64
                    };
                    (key, i, it)
                })
                .collect();
            keyed.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            grid[l] = keyed.into_iter().map(|(_, _, it)| it).collect();
        }
        let x = crossings(&grid, &segs, &layer_of);
        if x < best_x {
            best_x = x;
            best = grid.clone();
        }
    }
    let rows = best.iter().map(Vec::len).max().unwrap_or(0);
    for (l, col) in best.iter().enumerate() {
        // Centre shorter layers against the tallest.
        let offset = (rows - col.len()) / 2;
        for (r, it) in col.iter().enumerate() {
            let at = (l, row_base + offset + r);
            match *it {
                Item::Node(v) => out.place[v] = Some(at),
                Item::Dummy(e, _) => out.bends[e].push(at),
            }
        }
    }
    for e in routed {
        out.bends[e].sort_unstable();
    }
    (rows, best_x)
}

/// Crossings between adjacent layers (quadratic in a layer's segments,
/// which are few: a programme has tens of modules).
fn crossings(grid: &[Vec<Item>], segs: &[(Item, Item)], layer_of: &dyn Fn(Item) -> usize) -> usize {
    let pos = |it: Item| -> usize { grid[layer_of(it)].iter().position(|x| *x == it).unwrap_or(0) };
    let mut by_layer: Vec<Vec<(usize, usize)>> = vec![Vec::new(); grid.len()];
    for &(u, w) in segs {
        by_layer[layer_of(u)].push((pos(u), pos(w)));
    }
    let mut n = 0;
    for s in &by_layer {
        for i in 0..s.len() {
            for j in i + 1..s.len() {
                let (a, b) = (s[i], s[j]);
                if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                    n += 1;
                }
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crossing_that_reordering_removes_is_removed() {
        // 0 -> 3, 1 -> 2: in the given order the two edges cross.
        let l = layout(4, &[(0, 3), (1, 2)]);
        assert_eq!(l.crossings, 0);
        assert_eq!(l.layers, 2);
    }

    #[test]
    fn long_edges_bend_through_every_layer_between() {
        // 0 -> 1 -> 2 and 0 -> 2: the long edge has one bend in layer 1.
        let l = layout(3, &[(0, 1), (1, 2), (0, 2)]);
        assert_eq!(l.place[2].map(|p| p.0), Some(2));
        assert_eq!(l.bends[2].len(), 1);
        assert_eq!(l.bends[2][0].0, 1);
        assert_ne!(l.bends[2][0], l.place[1].unwrap());
    }

    #[test]
    fn unconnected_nodes_are_not_placed_and_components_do_not_share_rows() {
        let l = layout(5, &[(0, 1), (2, 3)]);
        assert_eq!(l.place[4], None);
        let r01: Vec<usize> = [0, 1].iter().map(|&v| l.place[v].unwrap().1).collect();
        let r23: Vec<usize> = [2, 3].iter().map(|&v| l.place[v].unwrap().1).collect();
        assert!(r01.iter().all(|r| !r23.contains(r)));
        assert_eq!(l.rows, 2);
    }

    #[test]
    fn cycles_do_not_hang() {
        let l = layout(3, &[(0, 1), (1, 2), (2, 0)]);
        assert_eq!(l.place.iter().flatten().count(), 3);
    }
}
