//! A list in arrival order that finds its items by key (a JID) without scanning: join
//! requests arrive by the thousand into one group, and each one must replace any earlier
//! request of the same person.

use std::collections::HashMap;
use std::ops::Deref;

/// What identifies an item of a [`KeyedList`].
pub trait Keyed {
    fn key(&self) -> &str;
}

/// A live change to a list of people (a roster, join requests): drops the items with these
/// keys, then replaces or appends each of `upsert`. The one rule every copy of a list follows
/// (the engine's model, the UI's state; the cache stores it as rows); [`KeyedList::apply`] is
/// the same rule with an index.
pub fn apply_delta<T: Keyed>(list: &mut Vec<T>, upsert: Vec<T>, removed: &[String]) {
    if !removed.is_empty() {
        let gone: std::collections::HashSet<&str> = removed.iter().map(String::as_str).collect();
        list.retain(|x| !gone.contains(x.key()));
    }
    for item in upsert {
        match list.iter_mut().find(|x| x.key() == item.key()) {
            Some(x) => *x = item,
            None => list.push(item),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyedList<T> {
    items: Vec<T>,
    /// key -> position in `items`.
    index: HashMap<String, usize>,
}

impl<T> Default for KeyedList<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T: Keyed> KeyedList<T> {
    pub fn contains(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    /// Replaces the item with the same key in place, else appends it.
    pub fn upsert(&mut self, item: T) {
        match self.index.get(item.key()) {
            Some(&at) => self.items[at] = item,
            None => {
                self.index.insert(item.key().to_string(), self.items.len());
                self.items.push(item);
            }
        }
    }

    /// Keeps the items `keep` accepts, in order.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        let before = self.items.len();
        self.items.retain(keep);
        if self.items.len() != before {
            self.reindex();
        }
    }

    /// Drops the items with these keys, then upserts `upsert` (see [`apply_delta`]).
    pub fn apply(&mut self, upsert: Vec<T>, removed: &[String]) {
        if removed.iter().any(|k| self.contains(k)) {
            let gone: std::collections::HashSet<&str> =
                removed.iter().map(String::as_str).collect();
            self.items.retain(|x| !gone.contains(x.key()));
            self.reindex();
        }
        for item in upsert {
            self.upsert(item);
        }
    }

    fn reindex(&mut self) {
        self.index = self
            .items
            .iter()
            .enumerate()
            .map(|(i, x)| (x.key().to_string(), i))
            .collect();
    }
}

impl<T> Deref for KeyedList<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<'a, T> IntoIterator for &'a KeyedList<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<T: Keyed> From<Vec<T>> for KeyedList<T> {
    fn from(items: Vec<T>) -> Self {
        let mut list = Self::default();
        for item in items {
            list.upsert(item);
        }
        list
    }
}

impl<T> From<KeyedList<T>> for Vec<T> {
    fn from(list: KeyedList<T>) -> Vec<T> {
        list.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Item(&'static str, u32);
    impl Keyed for Item {
        fn key(&self) -> &str {
            self.0
        }
    }

    #[test]
    fn upserts_in_place_removes_and_keeps_order() {
        let mut l = KeyedList::from(vec![Item("a", 1), Item("b", 1), Item("a", 2)]);
        assert_eq!(&l[..], &[Item("a", 2), Item("b", 1)]);
        l.apply(vec![Item("c", 1), Item("b", 2)], &["a".into(), "zz".into()]);
        assert_eq!(&l[..], &[Item("b", 2), Item("c", 1)]);
        assert!(!l.contains("a") && l.contains("c"));
        l.retain(|x| x.0 != "b");
        l.upsert(Item("c", 3));
        assert_eq!(&l[..], &[Item("c", 3)]);
        assert_eq!(Vec::from(l), vec![Item("c", 3)]);
    }
}
