//! The prerequisite graph: modules (first definitions, not broken) and their
//! `requires` edges, with strongly connected components by Tarjan's
//! algorithm (iterative, so deep chains cannot overflow the stack).
//! Linear in modules plus requirements.

use crate::model::{ModuleId, Workspace};

pub struct PrereqGraph {
    /// `edges[m]`: (index into `modules[m].requires`, target module).
    pub edges: Vec<Vec<(usize, ModuleId)>>,
    /// `comp[m]`: the strongly connected component of module `m`.
    pub comp: Vec<usize>,
    /// Size of each component.
    pub comp_size: Vec<usize>,
    /// `self_loop[m]`: module `m` requires itself.
    pub self_loop: Vec<bool>,
}

impl PrereqGraph {
    pub fn new(ws: &Workspace) -> PrereqGraph {
        let n = ws.modules.len();
        let mut edges = vec![Vec::new(); n];
        let mut self_loop = vec![false; n];
        for (i, m) in ws.modules.iter().enumerate() {
            // Only first definitions take part: later ones are duplicates.
            if m.broken || ws.module_id(&m.code.value) != Some(i) {
                continue;
            }
            for (k, r) in m.requires.iter().enumerate() {
                if let Some(t) = ws.module_id(&r.value) {
                    if ws.modules.get(t).is_some_and(|tm| !tm.broken) {
                        edges[i].push((k, t));
                        if t == i {
                            self_loop[i] = true;
                        }
                    }
                }
            }
        }
        let (comp, count) = tarjan(&edges);
        let mut comp_size = vec![0; count];
        for &c in &comp {
            comp_size[c] += 1;
        }
        PrereqGraph {
            edges,
            comp,
            comp_size,
            self_loop,
        }
    }

    /// Module `m` is on a cycle.
    pub fn cyclic(&self, m: ModuleId) -> bool {
        self.self_loop.get(m).copied().unwrap_or(false) || self.comp.get(m).is_some_and(|&c| self.comp_size[c] > 1)
    }

    /// The requirement `m requires r` lies inside a cycle (both in one
    /// cyclic component): spec/prerequisite-cycle reports it.
    pub fn in_cycle(&self, m: ModuleId, r: ModuleId) -> bool {
        self.cyclic(m) && self.comp.get(m) == self.comp.get(r)
    }
}

/// Tarjan's strongly connected components, iteratively. Returns each node's
/// component and the number of components.
fn tarjan(edges: &[Vec<(usize, usize)>]) -> (Vec<usize>, usize) {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![UNSEEN; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0usize;
    let mut count = 0usize;
    // Call stack of (node, next edge position).
    let mut calls: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        calls.push((root, 0));
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut pos)) = calls.last_mut() {
            if let Some(&(_, w)) = edges[v].get(*pos) {
                *pos += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                calls.pop();
                if let Some(&(parent, _)) = calls.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = count;
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
        let edges = vec![e(&[1]), e(&[2]), e(&[0, 3]), e(&[4]), e(&[3]), e(&[])];
        let (comp, count) = tarjan(&edges);
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
        let (_, count) = tarjan(&edges);
        assert_eq!(count, n);
    }
}
