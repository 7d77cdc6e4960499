//! Identifiers. Candidates are plain `i32` ids `0..M`, stable for the life of
//! a session (a pruned id is never reused); scorers get a [`ScorerId`].

/// A scorer's index within its session (0, 1, ... in order of registration):
/// the id to push values for, and the index of its scores in
/// [`Record::scores`](crate::Record::scores).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScorerId(pub(crate) i32);

impl ScorerId {
    /// The index into [`Record::scores`](crate::Record::scores).
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The library's `scorer_id`.
    pub fn raw(self) -> i32 {
        self.0
    }
}
