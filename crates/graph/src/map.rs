use std::collections::{BTreeSet, HashMap, HashSet};

use crate::revision::validate_revision_id;
use crate::{GraphError, Revision};

/// One revision with the links Alembic derives from the whole map.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub id: String,
    /// `down_revision`, as written.
    pub down: Vec<usize>,
    /// `depends_on` with branch labels resolved to revisions.
    pub deps: Vec<usize>,
    /// `deps` minus those some strict ancestor (by down_revision) already depends on.
    pub norm_deps: Vec<usize>,
    /// Alembic's `_normalized_down_revisions` ("D"): down + norm_deps, deduplicated. Ordering,
    /// ancestry and version rows all follow D.
    pub norm_down: Vec<usize>,
    /// down + deps, deduplicated.
    pub all_down: Vec<usize>,
    /// Children through down_revision.
    pub next: Vec<usize>,
    /// Children through down_revision or depends_on.
    pub all_next: Vec<usize>,
    pub declared_labels: Vec<String>,
    /// Labels after Alembic's propagation to the branch (display only).
    pub labels: BTreeSet<String>,
    pub has_depends_on: bool,
}

/// The revision graph of a project, built and validated the way Alembic builds its
/// `RevisionMap`. Node indices are load order, which breaks every tie.
#[derive(Debug, Clone)]
pub struct RevisionMap {
    pub(crate) nodes: Vec<Node>,
    /// Revision ids and branch labels, each to the revision that declares it.
    pub(crate) keys: HashMap<String, usize>,
    /// The keys in Alembic's dict order: ids in load order, then labels.
    pub(crate) key_order: Vec<String>,
    pub(crate) heads: Vec<usize>,
    pub(crate) real_heads: Vec<usize>,
    pub(crate) bases: Vec<usize>,
    pub(crate) real_bases: Vec<usize>,
}

impl RevisionMap {
    /// Builds the map from revisions in load order, checking them in Alembic's order so the
    /// first problem reported is the one Alembic would report.
    pub fn new(revisions: Vec<Revision>) -> Result<Self, GraphError> {
        for r in &revisions {
            if r.down_revisions.contains(&r.id) {
                return Err(GraphError::SelfLoop {
                    revision: r.id.clone(),
                });
            }
            if r.depends_on.contains(&r.id) {
                return Err(GraphError::DependencySelfLoop {
                    revision: r.id.clone(),
                });
            }
            validate_revision_id(&r.id)?;
        }
        let mut keys: HashMap<String, usize> = HashMap::new();
        let mut key_order = Vec::with_capacity(revisions.len());
        for (i, r) in revisions.iter().enumerate() {
            if keys.insert(r.id.clone(), i).is_some() {
                return Err(GraphError::Duplicate {
                    revision: r.id.clone(),
                });
            }
            key_order.push(r.id.clone());
        }
        for (i, r) in revisions.iter().enumerate() {
            for label in &r.branch_labels {
                if let Some(&other) = keys.get(label) {
                    return Err(GraphError::LabelCollision {
                        label: label.clone(),
                        revision: r.id.clone(),
                        other: revisions[other].id.clone(),
                    });
                }
                if matches!(label.as_str(), "head" | "heads" | "base") || label.contains('@') {
                    return Err(GraphError::InvalidId {
                        revision: label.clone(),
                        reason: format!(
                            "branch label of revision '{}' may not be a keyword or contain '@'",
                            r.id
                        ),
                    });
                }
                keys.insert(label.clone(), i);
                key_order.push(label.clone());
            }
        }
        let mut nodes = Vec::with_capacity(revisions.len());
        for r in &revisions {
            let mut deps = Vec::new();
            for d in &r.depends_on {
                let &t = keys.get(d).ok_or_else(|| GraphError::UnknownDependency {
                    revision: r.id.clone(),
                    dependency: d.clone(),
                })?;
                if !deps.contains(&t) {
                    deps.push(t);
                }
            }
            let mut down = Vec::new();
            for p in &r.down_revisions {
                // Alembic's map lookup accepts a branch label as a parent key too, but then breaks
                // its own invariants; a parent must be a revision id.
                match keys.get(p) {
                    Some(&t) if revisions[t].id == *p => {
                        if !down.contains(&t) {
                            down.push(t);
                        }
                    }
                    _ => {
                        return Err(GraphError::MissingParent {
                            revision: r.id.clone(),
                            parent: p.clone(),
                        })
                    }
                }
            }
            let mut all_down = down.clone();
            for &d in &deps {
                if !all_down.contains(&d) {
                    all_down.push(d);
                }
            }
            nodes.push(Node {
                id: r.id.clone(),
                down,
                deps,
                norm_deps: Vec::new(),
                norm_down: Vec::new(),
                all_down,
                next: Vec::new(),
                all_next: Vec::new(),
                declared_labels: r.branch_labels.clone(),
                labels: r.branch_labels.iter().cloned().collect(),
                has_depends_on: !r.depends_on.is_empty(),
            });
        }
        for i in 0..nodes.len() {
            for k in 0..nodes[i].all_down.len() {
                let p = nodes[i].all_down[k];
                if !nodes[p].all_next.contains(&i) {
                    nodes[p].all_next.push(i);
                }
                if nodes[i].down.contains(&p) && !nodes[p].next.contains(&i) {
                    nodes[p].next.push(i);
                }
            }
        }
        let mut map = RevisionMap {
            heads: (0..nodes.len())
                .filter(|&i| nodes[i].next.is_empty())
                .collect(),
            real_heads: (0..nodes.len())
                .filter(|&i| nodes[i].all_next.is_empty())
                .collect(),
            bases: (0..nodes.len())
                .filter(|&i| nodes[i].down.is_empty())
                .collect(),
            real_bases: (0..nodes.len())
                .filter(|&i| nodes[i].down.is_empty() && !nodes[i].has_depends_on)
                .collect(),
            nodes,
            keys,
            key_order,
        };
        map.normalize_depends_on();
        map.detect_cycles()?;
        map.propagate_labels();
        Ok(map)
    }

    fn normalize_depends_on(&mut self) {
        for i in 0..self.nodes.len() {
            let mut norm = self.nodes[i].deps.clone();
            if !norm.is_empty() {
                for a in self.related(&[i], |n| &n.down) {
                    if a != i {
                        let theirs = &self.nodes[a].deps;
                        norm.retain(|d| !theirs.contains(d));
                    }
                }
            }
            let mut norm_down = self.nodes[i].down.clone();
            for &d in &norm {
                if !norm_down.contains(&d) {
                    norm_down.push(d);
                }
            }
            self.nodes[i].norm_deps = norm;
            self.nodes[i].norm_down = norm_down;
        }
    }

    fn detect_cycles(&self) -> Result<(), GraphError> {
        if self.nodes.is_empty() {
            return Ok(());
        }
        let all: Vec<String> = self.nodes.iter().map(|n| n.id.clone()).collect();
        if self.heads.is_empty() || self.bases.is_empty() {
            return Err(GraphError::Cycle { revisions: all });
        }
        let outside = |from_top: HashSet<usize>, from_bottom: HashSet<usize>| -> Vec<String> {
            let mut ids: Vec<String> = (0..self.nodes.len())
                .filter(|i| !(from_top.contains(i) && from_bottom.contains(i)))
                .map(|i| self.nodes[i].id.clone())
                .collect();
            ids.sort();
            ids
        };
        let stuck = outside(
            self.related(&self.heads, |n| &n.down).into_iter().collect(),
            self.related(&self.bases, |n| &n.next).into_iter().collect(),
        );
        if !stuck.is_empty() {
            return Err(GraphError::Cycle { revisions: stuck });
        }
        if self.real_heads.is_empty() || self.real_bases.is_empty() {
            return Err(GraphError::DependencyCycle { revisions: all });
        }
        let stuck = outside(
            self.related(&self.real_heads, |n| &n.all_down)
                .into_iter()
                .collect(),
            self.related(&self.real_bases, |n| &n.all_next)
                .into_iter()
                .collect(),
        );
        if !stuck.is_empty() {
            return Err(GraphError::DependencyCycle { revisions: stuck });
        }
        // Alembic's checks above find revisions that no head or no base reaches, not a cycle
        // that both reach (`x` after `y` and a base, `y` after `x`, a head after `x`), on which
        // ordering the steps of a plan would never end.
        if let Some(cycle) = self.find_cycle(|n| &n.down) {
            return Err(GraphError::Cycle {
                revisions: self.sorted_ids(cycle),
            });
        }
        if let Some(cycle) = self.find_cycle(|n| &n.all_down) {
            return Err(GraphError::DependencyCycle {
                revisions: self.sorted_ids(cycle),
            });
        }
        Ok(())
    }

    /// The revisions of one cycle through `links`, if there is one (depth-first, without
    /// recursion: a history may be thousands of revisions long).
    fn find_cycle(&self, links: impl Fn(&Node) -> &Vec<usize>) -> Option<Vec<usize>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Seen {
            Not,
            OnPath,
            Done,
        }
        let mut seen = vec![Seen::Not; self.nodes.len()];
        for start in 0..self.nodes.len() {
            if seen[start] != Seen::Not {
                continue;
            }
            seen[start] = Seen::OnPath;
            // Each revision on the path, with how many of its links have been followed.
            let mut path = vec![(start, 0)];
            while let Some(&(node, followed)) = path.last() {
                let Some(&next) = links(&self.nodes[node]).get(followed) else {
                    seen[node] = Seen::Done;
                    path.pop();
                    continue;
                };
                if let Some(top) = path.last_mut() {
                    top.1 += 1;
                }
                match seen[next] {
                    Seen::Not => {
                        seen[next] = Seen::OnPath;
                        path.push((next, 0));
                    }
                    Seen::OnPath => {
                        let from = path.iter().position(|&(n, _)| n == next).unwrap_or(0);
                        return Some(path[from..].iter().map(|&(n, _)| n).collect());
                    }
                    Seen::Done => {}
                }
            }
        }
        None
    }

    fn sorted_ids(&self, idx: Vec<usize>) -> Vec<String> {
        let mut ids = self.ids(idx);
        ids.sort();
        ids
    }

    /// Copies each label to the labelled revision's descendants and, like Alembic, down to its
    /// ancestors until a branch or merge point. Only display depends on this.
    fn propagate_labels(&mut self) {
        for i in 0..self.nodes.len() {
            if self.nodes[i].declared_labels.is_empty() {
                continue;
            }
            let labels = self.nodes[i].declared_labels.clone();
            let desc = self.related(&[i], |n| &n.next);
            for &d in &desc {
                self.nodes[d].labels.extend(labels.iter().cloned());
            }
            let mut cur = desc.last().copied();
            while let Some(c) = cur {
                let n = &self.nodes[c];
                if n.all_next.len() > 1 || n.down.len() > 1 {
                    break;
                }
                let parent = n.down.first().copied();
                self.nodes[c].labels.extend(labels.iter().cloned());
                cur = parent;
            }
        }
    }

    /// Depth-first closure over `links`, starting nodes included, in Alembic's visit order.
    pub(crate) fn related(
        &self,
        starts: &[usize],
        links: impl Fn(&Node) -> &Vec<usize>,
    ) -> Vec<usize> {
        let mut seen = vec![false; self.nodes.len()];
        let mut out = Vec::new();
        let mut stack = Vec::new();
        for &s in starts {
            stack.push(s);
            while let Some(r) = stack.pop() {
                if seen[r] {
                    continue;
                }
                seen[r] = true;
                stack.extend(links(&self.nodes[r]).iter().copied());
                out.push(r);
            }
        }
        out
    }

    /// Ancestors (inclusive) following D, or down_revision only.
    pub(crate) fn ancestors(&self, starts: &[usize], deps: bool) -> HashSet<usize> {
        if deps {
            self.related(starts, |n| &n.norm_down).into_iter().collect()
        } else {
            self.related(starts, |n| &n.down).into_iter().collect()
        }
    }

    /// Descendants (inclusive) through depends_on too, or through down_revision only.
    pub(crate) fn descendants(&self, starts: &[usize], deps: bool) -> HashSet<usize> {
        if deps {
            self.related(starts, |n| &n.all_next).into_iter().collect()
        } else {
            self.related(starts, |n| &n.next).into_iter().collect()
        }
    }

    /// Ancestors with Alembic's `check=True`: a start that reaches another start is an error.
    pub(crate) fn ancestors_checked(
        &self,
        starts: &[usize],
    ) -> Result<HashSet<usize>, (usize, Vec<usize>)> {
        let mut seen = vec![false; self.nodes.len()];
        let mut out = HashSet::new();
        for &s in starts {
            let mut reached = HashSet::new();
            let mut stack = vec![s];
            while let Some(r) = stack.pop() {
                reached.insert(r);
                if seen[r] {
                    continue;
                }
                seen[r] = true;
                stack.extend(self.nodes[r].norm_down.iter().copied());
                out.insert(r);
            }
            let mut overlaps: Vec<usize> = starts
                .iter()
                .copied()
                .filter(|t| *t != s && reached.contains(t))
                .collect();
            overlaps.sort_unstable();
            overlaps.dedup();
            if !overlaps.is_empty() {
                return Err((s, overlaps));
            }
        }
        Ok(out)
    }

    pub(crate) fn id(&self, i: usize) -> &str {
        &self.nodes[i].id
    }

    pub(crate) fn ids(&self, idx: impl IntoIterator<Item = usize>) -> Vec<String> {
        idx.into_iter().map(|i| self.nodes[i].id.clone()).collect()
    }

    /// Number of revisions.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Index (load order) of a revision id, exact match only.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.keys
            .get(id)
            .copied()
            .filter(|&i| self.nodes[i].id == id)
    }

    /// Revision ids in load order.
    pub fn revision_ids(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().map(|n| n.id.as_str())
    }

    /// Alembic's `heads`: revisions with no child through down_revision, in load order. A
    /// revision that others only depend on counts (an "effective head").
    pub fn heads(&self) -> Vec<String> {
        self.ids(self.heads.iter().copied())
    }

    /// Heads that nothing depends on either: the rows a database has after `upgrade heads`.
    pub fn real_heads(&self) -> Vec<String> {
        self.ids(self.real_heads.iter().copied())
    }

    pub fn bases(&self) -> Vec<String> {
        self.ids(self.bases.iter().copied())
    }

    pub fn is_real_head(&self, id: &str) -> bool {
        self.index_of(id)
            .is_some_and(|i| self.nodes[i].all_next.is_empty())
    }

    /// Revisions with more than one child through down_revision, in load order.
    pub fn branch_points(&self) -> Vec<String> {
        self.ids((0..self.nodes.len()).filter(|&i| self.nodes[i].next.len() > 1))
    }

    pub fn down_revisions(&self, id: &str) -> Vec<String> {
        self.index_of(id)
            .map(|i| self.ids(self.nodes[i].down.iter().copied()))
            .unwrap_or_default()
    }

    pub fn children(&self, id: &str) -> Vec<String> {
        self.index_of(id)
            .map(|i| self.ids(self.nodes[i].next.iter().copied()))
            .unwrap_or_default()
    }

    /// Branch labels, propagated along the branch as Alembic displays them.
    pub fn labels(&self, id: &str) -> Vec<String> {
        self.index_of(id)
            .map(|i| self.nodes[i].labels.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn is_merge_point(&self, id: &str) -> bool {
        self.index_of(id)
            .is_some_and(|i| self.nodes[i].down.len() > 1)
    }

    pub fn is_branch_point(&self, id: &str) -> bool {
        self.index_of(id)
            .is_some_and(|i| self.nodes[i].next.len() > 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(id: &str, down: &[&str], depends_on: &[&str]) -> Revision {
        Revision {
            depends_on: depends_on.iter().map(|d| d.to_string()).collect(),
            ..Revision::new(id, down)
        }
    }

    #[test]
    fn a_cycle_that_a_head_and_a_base_both_reach_is_refused_not_planned_forever() {
        let e = RevisionMap::new(vec![
            rev("a", &[], &[]),
            rev("x", &["y", "a"], &[]),
            rev("y", &["x"], &[]),
            rev("h", &["x"], &[]),
        ])
        .expect_err("a cycle");
        assert_eq!(e.to_string(), "the revisions 'x', 'y' form a cycle");
    }

    #[test]
    fn a_cycle_through_depends_on_that_a_head_and_a_base_both_reach_is_refused() {
        // Found by fuzzing: `y` depends on `x`, whose parent is `y`; planning `heads` never ended.
        let e = RevisionMap::new(vec![
            rev("c", &[], &[]),
            rev("x", &["y"], &["c"]),
            rev("y", &[], &["x"]),
            rev("h", &[], &["x", "y"]),
        ])
        .expect_err("a cycle");
        assert_eq!(
            e.to_string(),
            "the revisions 'x', 'y' form a cycle through depends_on"
        );
    }
}
