//! Liveness on the explored graph: obligations owed forever under a fair schedule.
