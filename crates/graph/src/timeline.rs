//! Lanes for drawing the revision graph newest-first, like `git log --graph`: each row says
//! where its node sits and which lines cross its top and bottom halves, so a virtualised list
//! can draw any row on its own. The layout is computed once per project.

use serde::Serialize;

use crate::RevisionMap;

/// A line in one half of a row, from a lane at the half's top to a lane at its bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Segment {
    pub from: u32,
    pub to: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimelineRow {
    pub revision: String,
    pub lane: u32,
    /// Lines from the row above down to the middle of this row.
    pub top: Vec<Segment>,
    /// Lines from the middle of this row down to the row below.
    pub bottom: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timeline {
    pub rows: Vec<TimelineRow>,
    /// How many lanes the widest row uses.
    pub lanes: u32,
}

fn lane(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl RevisionMap {
    /// The timeline in history order (newest first), with lanes for branches.
    pub fn timeline(&self) -> Timeline {
        let order: Vec<usize> = self
            .history()
            .iter()
            .filter_map(|id| self.index_of(id))
            .collect();
        // active[l] = the revision lane l is waiting for (a parent of a row already drawn).
        let mut active: Vec<Option<usize>> = Vec::new();
        let mut rows = Vec::with_capacity(order.len());
        let mut widest = 0;
        for r in order {
            let waiting: Vec<usize> = (0..active.len())
                .filter(|&l| active[l] == Some(r))
                .collect();
            let at = match waiting.first() {
                Some(&l) => l,
                None => match active.iter().position(Option::is_none) {
                    Some(free) => free,
                    None => {
                        active.push(None);
                        active.len() - 1
                    }
                },
            };
            let mut top = Vec::new();
            for (l, w) in active.iter().enumerate() {
                match w {
                    Some(x) if *x == r => top.push(Segment {
                        from: lane(l),
                        to: lane(at),
                    }),
                    Some(_) => top.push(Segment {
                        from: lane(l),
                        to: lane(l),
                    }),
                    None => {}
                }
            }
            for &l in &waiting {
                active[l] = None;
            }
            // Lanes that only pass by this row keep going down (unless pulled left below).
            let passing: Vec<usize> = (0..active.len()).filter(|&l| active[l].is_some()).collect();
            let parents = &self.nodes[r].down;
            let mut bottom = Vec::new();
            for (k, &p) in parents.iter().enumerate() {
                let target = if k == 0 {
                    match active.iter().position(|w| *w == Some(p)) {
                        // Another lane already waits for the parent further right: pull it into
                        // this lane so lines stay to the left.
                        Some(existing) if existing > at => {
                            active[existing] = None;
                            active[at] = Some(p);
                            bottom.push(Segment {
                                from: lane(existing),
                                to: lane(at),
                            });
                            at
                        }
                        Some(existing) => existing,
                        None => {
                            active[at] = Some(p);
                            at
                        }
                    }
                } else if let Some(existing) = active.iter().position(|w| *w == Some(p)) {
                    existing
                } else if let Some(free) = active.iter().position(Option::is_none) {
                    active[free] = Some(p);
                    free
                } else {
                    active.push(Some(p));
                    active.len() - 1
                };
                bottom.push(Segment {
                    from: lane(at),
                    to: lane(target),
                });
            }
            for &l in &passing {
                if active[l].is_some() {
                    bottom.push(Segment {
                        from: lane(l),
                        to: lane(l),
                    });
                }
            }
            while active.last().is_some_and(Option::is_none) {
                active.pop();
            }
            widest = widest.max(active.len()).max(at + 1);
            rows.push(TimelineRow {
                revision: self.id(r).to_string(),
                lane: lane(at),
                top,
                bottom,
            });
        }
        Timeline {
            rows,
            lanes: lane(widest),
        }
    }

    /// Every revision the rows imply as applied (the rows and all they depend on).
    pub fn applied(&self, rows: &[String]) -> Result<Vec<String>, crate::GraphError> {
        let idx = self.resolve_rows(rows)?;
        let mut all: Vec<usize> = self.ancestors(&idx, true).into_iter().collect();
        all.sort_unstable();
        Ok(self.ids(all))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Revision, RevisionMap};

    #[test]
    fn branches_get_their_own_lane_and_meet_again_at_the_merge() {
        let map = RevisionMap::new(vec![
            Revision::new("a", &[]),
            Revision::new("b", &["a"]),
            Revision::new("c", &["a"]),
            Revision::new("m", &["b", "c"]),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let t = map.timeline();
        let lanes: Vec<(&str, u32)> = t
            .rows
            .iter()
            .map(|r| (r.revision.as_str(), r.lane))
            .collect();
        assert_eq!(lanes[0], ("m", 0));
        assert_eq!(lanes[3], ("a", 0));
        assert_eq!(t.lanes, 2);
        let merge = &t.rows[0];
        assert_eq!(
            merge.bottom.len(),
            2,
            "a merge point has a line to each parent"
        );
        let above_base = &t.rows[2];
        assert!(
            above_base
                .bottom
                .contains(&super::Segment { from: 1, to: 0 }),
            "the side branch joins lane 0"
        );
        assert!(t.rows[3].bottom.is_empty());
        for (i, row) in t.rows.iter().enumerate().skip(1) {
            let above = &t.rows[i - 1];
            let mut into: Vec<u32> = row.top.iter().map(|s| s.from).collect();
            let mut out: Vec<u32> = above.bottom.iter().map(|s| s.to).collect();
            into.sort_unstable();
            into.dedup();
            out.sort_unstable();
            out.dedup();
            assert_eq!(
                into,
                out,
                "every line leaving row {} reaches row {}",
                i - 1,
                i
            );
        }
    }
}
