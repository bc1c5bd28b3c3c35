//! Pathways without enumeration.
//!
//! A pathway is the core modules plus one valid choice per option group (a
//! subset of its modules totalling exactly `choose N credits`). The number of
//! pathways is the product of the groups' choice counts and easily runs into
//! millions, so nothing here lists them. Instead each group answers questions
//! with a knapsack dynamic programme over its modules' credits:
//!
//! - is there a choice at all (`spec/option-unsatisfiable`)?
//! - is there a choice that includes these modules and excludes those?
//! - what is the least / greatest value of a per-module weight over the
//!   choices (with the choice that attains it, as a counterexample)?
//! - how many choices are there (saturating)?
//!
//! Costs are O(modules x choose / gcd) per question. Pathway-level questions
//! combine groups: for a weight that is a sum over the pathway's modules, the
//! extreme over pathways is the core's sum plus each group's extreme, since
//! groups choose independently.

use super::*;

/// Why a programme's pathway rules cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked {
    NoStructure,
    /// A listed module is undefined, broken or has no `credits` line.
    Module(String),
    /// An option group has no valid choice.
    Unsatisfiable(usize),
}

/// One option group, ready for questions.
#[derive(Debug, Clone)]
pub struct GroupSpace {
    pub group: usize,
    /// (entry index, credits) of the group's modules, in structure order.
    items: Vec<(usize, u64)>,
    target: u64,
    /// Scale: credits and target are divided by their gcd.
    scale: u64,
}

impl GroupSpace {
    pub fn new(group: usize, items: Vec<(usize, u64)>, target: u64) -> GroupSpace {
        let mut g = target;
        for &(_, c) in &items {
            g = gcd(g, c);
        }
        let scale = g.max(1);
        GroupSpace {
            group,
            items,
            target,
            scale,
        }
    }

    /// The entry indices of the group's modules.
    pub fn entries(&self) -> impl Iterator<Item = usize> + '_ {
        self.items.iter().map(|&(e, _)| e)
    }

    fn cap(&self) -> usize {
        (self.target / self.scale) as usize
    }

    /// Least (or greatest) total `weight` over the choices that include every
    /// entry of `include` and none of `exclude`, with one choice attaining it.
    pub fn extreme(
        &self,
        weight: &dyn Fn(usize) -> i64,
        maximize: bool,
        include: &[usize],
        exclude: &[usize],
    ) -> Option<(i64, Vec<usize>)> {
        if self.target > 10_000_000 {
            return None;
        }
        let cap = self.cap();
        let n = self.items.len();
        const NONE: i64 = i64::MIN;
        let better = |a: i64, b: i64| if maximize { a > b } else { a < b };
        // dp[i][s]: best total over the first i items with scaled credit sum s.
        let width = cap + 1;
        let mut dp = vec![NONE; (n + 1) * width];
        dp[0] = 0;
        for (i, &(entry, credits)) in self.items.iter().enumerate() {
            let c = (credits / self.scale) as usize;
            let w = weight(entry);
            let must = include.contains(&entry);
            let never = exclude.contains(&entry) || credits % self.scale != 0;
            for s in 0..width {
                let mut best = NONE;
                if !must {
                    best = dp[i * width + s];
                }
                if !never && s >= c {
                    let prev = dp[i * width + s - c];
                    if prev != NONE {
                        let v = prev.saturating_add(w);
                        if best == NONE || better(v, best) {
                            best = v;
                        }
                    }
                }
                dp[(i + 1) * width + s] = best;
            }
        }
        let total = dp[n * width + cap];
        if total == NONE {
            return None;
        }
        // Walk back to one choice attaining the optimum.
        let mut chosen = Vec::new();
        let mut s = cap;
        for i in (0..n).rev() {
            let (entry, credits) = self.items[i];
            let c = (credits / self.scale) as usize;
            let here = dp[(i + 1) * width + s];
            let must = include.contains(&entry);
            let skip = dp[i * width + s];
            if !must && skip == here {
                continue;
            }
            chosen.push(entry);
            s -= c.min(s);
        }
        chosen.reverse();
        Some((total, chosen))
    }

    /// One choice including `include` and excluding `exclude`, if any.
    pub fn choice_with(&self, include: &[usize], exclude: &[usize]) -> Option<Vec<usize>> {
        self.extreme(&|_| 0, false, include, exclude).map(|(_, c)| c)
    }

    pub fn satisfiable(&self) -> bool {
        self.choice_with(&[], &[]).is_some()
    }

    /// The number of valid choices, saturating at `u128::MAX`.
    pub fn count(&self) -> u128 {
        if self.target > 10_000_000 {
            return 0;
        }
        let cap = self.cap();
        let mut ways = vec![0u128; cap + 1];
        ways[0] = 1;
        for &(_, credits) in &self.items {
            if credits % self.scale != 0 {
                continue;
            }
            let c = (credits / self.scale) as usize;
            if c > cap {
                continue;
            }
            for s in (c..=cap).rev() {
                ways[s] = ways[s].saturating_add(ways[s - c]);
            }
        }
        ways[cap]
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The pathways of one programme.
#[derive(Debug, Clone)]
pub struct PathwaySpace {
    /// Entry indices of core modules.
    pub core: Vec<usize>,
    pub groups: Vec<GroupSpace>,
}

impl PathwaySpace {
    /// The option groups of a structure, with every group's credits read
    /// from the module definitions. Unsatisfiable groups are kept (check with
    /// [`GroupSpace::satisfiable`]).
    pub fn groups_of(ws: &Workspace, s: &Structure) -> Vec<GroupSpace> {
        s.groups
            .iter()
            .enumerate()
            .map(|(gi, g)| {
                let items = g
                    .entries
                    .iter()
                    .filter_map(|&e| {
                        let m = s.entries[e].module().and_then(|m| ws.modules.get(m))?;
                        let c = m.credits.as_ref()?.value;
                        Some((e, c))
                    })
                    .collect();
                GroupSpace::new(gi, items, g.choose.value)
            })
            .collect()
    }

    /// The pathway space of a programme, or why pathway rules cannot run.
    pub fn new(ws: &Workspace, p: &Programme) -> Result<PathwaySpace, Blocked> {
        let s = p.structure.as_ref().ok_or(Blocked::NoStructure)?;
        for e in &s.entries {
            let ok = e
                .module()
                .and_then(|m| ws.modules.get(m))
                .is_some_and(|m| !m.broken && m.credits.is_some());
            if !ok {
                return Err(Blocked::Module(e.code.value.to_string()));
            }
        }
        let groups = Self::groups_of(ws, s);
        if let Some(g) = groups.iter().find(|g| !g.satisfiable()) {
            return Err(Blocked::Unsatisfiable(g.group));
        }
        let core = s.core_entries().map(|(i, _)| i).collect();
        Ok(PathwaySpace { core, groups })
    }

    /// The number of pathways, saturating.
    pub fn count(&self) -> u128 {
        self.groups.iter().fold(1u128, |acc, g| acc.saturating_mul(g.count()))
    }

    /// The group an entry belongs to.
    pub fn group_of(&self, s: &Structure, entry: usize) -> Option<&GroupSpace> {
        match s.entries.get(entry)?.membership {
            Membership::Core => None,
            Membership::Option(g) => self.groups.iter().find(|x| x.group == g as usize),
        }
    }

    /// Least (or greatest) value over all pathways of the sum of `weight`
    /// over the pathway's entries, with a pathway attaining it (entry
    /// indices, structure order). `include` / `exclude` constrain the
    /// pathways considered.
    pub fn extreme(
        &self,
        weight: &dyn Fn(usize) -> i64,
        maximize: bool,
        include: &[usize],
        exclude: &[usize],
    ) -> Option<(i64, Vec<usize>)> {
        if include.iter().any(|e| self.core.contains(e) && exclude.contains(e)) {
            return None;
        }
        if exclude.iter().any(|e| self.core.contains(e)) {
            return None;
        }
        let mut total: i64 = self
            .core
            .iter()
            .map(|&e| weight(e))
            .fold(0i64, |a, b| a.saturating_add(b));
        let mut entries = self.core.clone();
        for g in &self.groups {
            let (v, chosen) = g.extreme(weight, maximize, include, exclude)?;
            total = total.saturating_add(v);
            entries.extend(chosen);
        }
        // An included entry that is in no group and not core: impossible.
        if include.iter().any(|e| !entries.contains(e)) {
            return None;
        }
        entries.sort_unstable();
        Some((total, entries))
    }

    /// Some pathway including `include` and excluding `exclude`.
    pub fn pathway_with(&self, include: &[usize], exclude: &[usize]) -> Option<Vec<usize>> {
        self.extreme(&|_| 0, false, include, exclude).map(|(_, p)| p)
    }

    /// The module codes of a pathway given as entry indices.
    pub fn codes(s: &Structure, pathway: &[usize]) -> Vec<String> {
        pathway
            .iter()
            .filter_map(|&e| s.entries.get(e).map(|x| x.code.value.to_string()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_choices() {
        // choose 40 from four 20-credit modules: C(4,2) = 6 choices
        let g = GroupSpace::new(0, vec![(0, 20), (1, 20), (2, 20), (3, 20)], 40);
        assert_eq!(g.count(), 6);
        assert!(g.satisfiable());
        let c = g.choice_with(&[3], &[0]).expect("a choice");
        assert!(c.contains(&3) && !c.contains(&0) && c.len() == 2);
        assert_eq!(g.choice_with(&[0, 1, 2], &[]), None);
    }

    #[test]
    fn unsatisfiable() {
        let g = GroupSpace::new(0, vec![(0, 20), (1, 20)], 30);
        assert!(!g.satisfiable());
        assert_eq!(g.count(), 0);
    }

    #[test]
    fn extremes_attained() {
        let g = GroupSpace::new(0, vec![(0, 10), (1, 20), (2, 30), (3, 10)], 30);
        let w = |e: usize| [5, 1, 7, 2][e];
        let (min, c) = g.extreme(&w, false, &[], &[]).expect("min");
        assert_eq!(min, 1 + 2);
        assert_eq!(c, vec![1, 3]);
        let (max, c) = g.extreme(&w, true, &[], &[]).expect("max");
        assert_eq!(max, 7);
        assert_eq!(c, vec![2]);
    }

    #[test]
    fn large_groups_do_not_enumerate() {
        // choose 200 credits from 60 ten-credit modules: C(60,20) ~ 4e15 choices
        let items: Vec<(usize, u64)> = (0..60).map(|i| (i, 10)).collect();
        let g = GroupSpace::new(0, items, 200);
        assert_eq!(g.count(), 4_191_844_505_805_495);
        let (min, c) = g.extreme(&|e| e as i64, false, &[], &[]).expect("min");
        assert_eq!(min, (0..20).sum::<i64>());
        assert_eq!(c.len(), 20);
    }
}
