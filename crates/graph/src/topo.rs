use std::collections::HashSet;

use crate::RevisionMap;

impl RevisionMap {
    /// Alembic's `_topological_sort`: children before parents, going depth-first down one
    /// branch until it reaches a revision another pending branch still needs. The seeds are
    /// taken in load order, which is what makes Alembic upgrade the first-loaded head last.
    pub(crate) fn topo_sort(&self, revisions: &HashSet<usize>, seeds: &[usize]) -> Vec<usize> {
        let mut todo = revisions.clone();
        let mut current: Vec<usize> = seeds.iter().copied().filter(|s| todo.contains(s)).collect();
        current.sort_unstable();
        current.dedup();
        let mut ancestors: Vec<HashSet<usize>> = current
            .iter()
            .map(|&h| self.ancestors(&[h], true))
            .collect();
        let mut out = Vec::with_capacity(todo.len());
        let mut i = 0;
        while !current.is_empty() {
            let candidate = current[i];
            if let Some(j) = ancestors
                .iter()
                .enumerate()
                .position(|(j, a)| j != i && a.contains(&candidate))
            {
                i = j;
                continue;
            }
            if todo.remove(&candidate) {
                out.push(candidate);
            }
            let node = &self.nodes[candidate];
            let below: Vec<usize> = node
                .norm_down
                .iter()
                .copied()
                .filter(|r| todo.contains(r) && !current.contains(r))
                .collect();
            if below.is_empty() {
                current.remove(i);
                ancestors.remove(i);
                i = i.saturating_sub(1);
            } else if node.norm_deps.is_empty() && node.down.len() == 1 {
                current[i] = below[0];
                ancestors[i].remove(&candidate);
            } else {
                current[i] = below[0];
                ancestors[i] = self.ancestors(&[below[0]], true);
                for &b in &below[1..] {
                    current.push(b);
                    ancestors.push(self.ancestors(&[b], true));
                }
            }
        }
        // Anything left is unreachable from the seeds, which the callers rule out; keep it
        // rather than drop it silently, in load order.
        let mut rest: Vec<usize> = todo.into_iter().collect();
        rest.sort_unstable();
        out.extend(rest);
        out
    }
}
