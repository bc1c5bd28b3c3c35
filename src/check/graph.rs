//! The prerequisite graph: modules (first definitions, not broken) and their
//! `requires` edges, with strongly connected components by Tarjan's
//! algorithm (iterative, so deep chains cannot overflow the stack).
//! Linear in modules plus requirements.

use crate::model::{ModuleId, Workspace};

pub struct PrereqGraph {
    /// The edges of module `m` are `targets[starts[m]..starts[m + 1]]`: one
    /// list for the whole graph, not one per module (see [`Self::edges`]).
    starts: Vec<u32>,
    /// (index into `modules[m].requires`, target module). `u32` holds any
    /// count a workspace can reach: 2^32 modules would be over a terabyte
    /// of records before the graph is built.
    targets: Vec<(u32, u32)>,
    /// `comp[m]`: the strongly connected component of module `m`.
    pub comp: Vec<u32>,
    /// Size of each component.
    pub comp_size: Vec<u32>,
    /// `self_loop[m]`: module `m` requires itself.
    pub self_loop: Vec<bool>,
}

impl PrereqGraph {
    /// Built once per analysis and shared by the checks that read it
    /// ([`super::CheckCtx::graph`]).
    pub fn new(ws: &Workspace) -> PrereqGraph {
        let n = ws.modules.len();
        let mut starts = Vec::with_capacity(n + 1);
        let mut targets = Vec::new();
        let mut self_loop = vec![false; n];
        for (i, m) in ws.modules.iter().enumerate() {
            starts.push(targets.len() as u32);
            // Only first definitions take part: later ones are duplicates.
            if m.broken || ws.module_id(&m.code.value) != Some(i) {
                continue;
            }
            for (k, r) in m.requires.iter().enumerate() {
                if let Some(t) = ws.module_id(&r.value) {
                    if ws.modules.get(t).is_some_and(|tm| !tm.broken) {
                        targets.push((k as u32, t as u32));
                        if t == i {
                            self_loop[i] = true;
                        }
                    }
                }
            }
        }
        starts.push(targets.len() as u32);
        let mut g = PrereqGraph {
            starts,
            targets,
            comp: Vec::new(),
            comp_size: Vec::new(),
            self_loop,
        };
        let (comp, count) = tarjan(n, |v| g.edges(v));
        let mut comp_size = vec![0u32; count];
        for &c in &comp {
            comp_size[c as usize] += 1;
        }
        g.comp = comp;
        g.comp_size = comp_size;
        g
    }

    /// The requirements of module `m` that are edges: (index into its
    /// `requires`, target module).
    pub fn edges(&self, m: ModuleId) -> impl Iterator<Item = (usize, ModuleId)> + '_ {
        let (a, b) = match (self.starts.get(m), self.starts.get(m + 1)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            _ => (0, 0),
        };
        self.targets[a..b].iter().map(|&(k, t)| (k as usize, t as usize))
    }

    /// Module `m` is on a cycle.
    pub fn cyclic(&self, m: ModuleId) -> bool {
        self.self_loop.get(m).copied().unwrap_or(false)
            || self.comp.get(m).is_some_and(|&c| self.comp_size[c as usize] > 1)
    }

    /// The requirement `m requires r` lies inside a cycle (both in one
    /// cyclic component): spec/prerequisite-cycle reports it.
    pub fn in_cycle(&self, m: ModuleId, r: ModuleId) -> bool {
        self.cyclic(m) && self.comp.get(m) == self.comp.get(r)
    }
}

/// Tarjan's strongly connected components of nodes `0..n`, iteratively.
/// Returns each node's component and the number of components.
fn tarjan<I: Iterator<Item = (usize, usize)>>(n: usize, edges: impl Fn(usize) -> I) -> (Vec<u32>, usize) {
    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![UNSEEN; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0u32;
    let mut count = 0usize;
    // Call stack of (node, its edges not yet followed).
    let mut calls: Vec<(usize, I)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        calls.push((root, edges(root)));
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some((v, rest)) = calls.last_mut() {
            let v = *v;
            if let Some((_, w)) = rest.next() {
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, edges(w)));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                calls.pop();
                if let Some((parent, _)) = calls.last() {
                    low[*parent] = low[*parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = count as u32;
                        if w == v {
                            break;
                        }
                    }
                    count += 1;
                }
            }
        }
    }
    (comp, count)
}

#[cfg(test)]
mod tests {
    use super::tarjan;

    #[test]
    fn components() {
        // 0 -> 1 -> 2 -> 0, 2 -> 3, 3 -> 4 -> 3, 5 alone
        let e = |ts: &[usize]| ts.iter().map(|&t| (0, t)).collect::<Vec<_>>();
        let edges = [e(&[1]), e(&[2]), e(&[0, 3]), e(&[4]), e(&[3]), e(&[])];
        let (comp, count) = tarjan(edges.len(), |v| edges[v].iter().copied());
        assert_eq!(count, 3);
        assert_eq!(comp[0], comp[1]);
        assert_eq!(comp[1], comp[2]);
        assert_eq!(comp[3], comp[4]);
        assert_ne!(comp[0], comp[3]);
        assert_ne!(comp[5], comp[0]);
        assert_ne!(comp[5], comp[3]);
    }

    #[test]
    fn deep_chain_does_not_overflow() {
        let n = 200_000;
        let edges: Vec<Vec<(usize, usize)>> = (0..n)
            .map(|i| if i + 1 < n { vec![(0, i + 1)] } else { vec![] })
            .collect();
        let (_, count) = tarjan(n, |v| edges[v].iter().copied());
        assert_eq!(count, n);
    }
}
