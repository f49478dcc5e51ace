//! A group's pending join requests: in arrival order, with an index by phone, so that a burst
//! of thousands of requests into one group does not scan the list once per request.

use std::collections::HashSet;
use std::ops::Deref;

use super::world::{PendingRequest, Phone};

#[derive(Debug, Clone, Default)]
pub struct Pending {
    list: Vec<PendingRequest>,
    phones: HashSet<Phone>,
}

impl Pending {
    pub fn contains(&self, phone: &str) -> bool {
        self.phones.contains(phone)
    }

    /// Adds a request; a phone already pending keeps its first request.
    pub fn push(&mut self, request: PendingRequest) {
        if self.phones.insert(request.phone.clone()) {
            self.list.push(request);
        }
    }

    /// Drops the request of `phone`, if any.
    pub fn remove(&mut self, phone: &str) {
        if self.phones.remove(phone) {
            self.list.retain(|r| r.phone != phone);
        }
    }
}

impl Deref for Pending {
    type Target = [PendingRequest];
    fn deref(&self) -> &[PendingRequest] {
        &self.list
    }
}

impl From<Vec<PendingRequest>> for Pending {
    fn from(requests: Vec<PendingRequest>) -> Self {
        let mut p = Pending::default();
        for r in requests {
            p.push(r);
        }
        p
    }
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.list == other.list
    }
}

impl Eq for Pending {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::world::RequestMethod;

    fn request(phone: &str, time: i64) -> PendingRequest {
        PendingRequest {
            phone: phone.into(),
            time,
            method: RequestMethod::InviteLink,
            parent: None,
        }
    }

    #[test]
    fn keeps_arrival_order_and_the_first_request_of_a_phone() {
        let mut p = Pending::from(vec![request("1", 10), request("2", 20)]);
        p.push(request("1", 30));
        p.push(request("3", 40));
        let order: Vec<(&str, i64)> = p.iter().map(|r| (r.phone.as_str(), r.time)).collect();
        assert_eq!(order, [("1", 10), ("2", 20), ("3", 40)]);
        p.remove("2");
        p.remove("9");
        assert!(!p.contains("2") && p.contains("1") && p.contains("3"));
        assert_eq!(p.len(), 2);
    }
}
