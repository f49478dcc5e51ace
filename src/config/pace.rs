//! `[pace]`: how fast wamod writes for each session (see `domain::PaceLimits` and README's
//! "Pace and caps"). Each key is a whole number; a bad one is reported and keeps its default.

use crate::domain::PaceLimits;

/// The `[pace]` table over the defaults; one warning per bad key.
pub fn parse(table: &toml::Table, warnings: &mut Vec<String>) -> PaceLimits {
    let mut pace = PaceLimits::default();
    for (key, value) in table {
        let Some(n) = value.as_integer().and_then(|n| u32::try_from(n).ok()) else {
            warnings.push(format!("pace.{key}: expected a whole number"));
            continue;
        };
        let at_least_one = n.max(1);
        match key.as_str() {
            "add_batch" => pace.add_batch = (at_least_one as usize).min(PaceLimits::MAX_BATCH),
            "add_gap_secs" => pace.add_gap_secs = u64::from(n),
            "adds_per_hour" => pace.adds_per_hour = at_least_one,
            "adds_per_day" => pace.adds_per_day = at_least_one,
            "creates_per_hour" => pace.creates_per_hour = at_least_one,
            "creates_per_day" => pace.creates_per_day = at_least_one,
            "people_batch" => {
                pace.people_batch = (at_least_one as usize).min(PaceLimits::MAX_BATCH)
            }
            "write_gap_secs" => pace.write_gap_secs = u64::from(n),
            _ => warnings.push(format!("pace.{key}: unknown key")),
        }
    }
    pace
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_override_the_defaults_and_bad_ones_are_named() {
        let table: toml::Table =
            "adds_per_hour = 20\nadd_gap_secs = 60\npeople_batch = 999\nadds_per_day = -1\nspeed = 3"
                .parse()
                .expect("toml");
        let mut warnings = Vec::new();
        let pace = parse(&table, &mut warnings);
        assert_eq!(pace.adds_per_hour, 20);
        assert_eq!(pace.add_gap_secs, 60);
        assert_eq!(pace.people_batch, 256, "WhatsApp's largest batch");
        assert_eq!(pace.adds_per_day, PaceLimits::default().adds_per_day);
        assert_eq!(
            warnings,
            [
                "pace.adds_per_day: expected a whole number",
                "pace.speed: unknown key"
            ]
        );
    }
}
