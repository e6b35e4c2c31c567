//! The one reader of fund id lists (`ids=1,2,3` or `ids=1&ids=2`), shared by the API's compare,
//! the console's compare and chat, so that all three follow the same rules.

/// Funds compared at once at most; more would make one request load many funds' data on a
/// cold cache.
pub const MAX_COMPARE: usize = 20;

/// Ids in the order given, without repeats, and the parts that are not ids.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FundIds {
    pub ids: Vec<i64>,
    pub rejected: Vec<String>,
}

/// Splits each value at commas (and at the `+` or `%2C` a form may leave encoded); a part must
/// be a positive integer. Empty parts are skipped; the caller decides what a rejected one means
/// (the API refuses the request, the console ignores it).
pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> FundIds {
    let mut out = FundIds::default();
    for value in values {
        for part in value.split([',', '+']).flat_map(|p| p.split("%2C")) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            match part.parse::<i64>().ok().filter(|id| *id > 0) {
                Some(id) if !out.ids.contains(&id) => out.ids.push(id),
                Some(_) => {}
                None => out.rejected.push(part.to_string()),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_order_without_repeats() {
        let p = parse(["3,1, 3", "2"]);
        assert_eq!(p.ids, vec![3, 1, 2]);
        assert!(p.rejected.is_empty());
        assert_eq!(parse(["3%2C1+4"]).ids, vec![3, 1, 4]);
    }

    #[test]
    fn what_is_not_an_id_is_listed() {
        let p = parse(["1,x,-2,0"]);
        assert_eq!(p.ids, vec![1]);
        assert_eq!(p.rejected, vec!["x", "-2", "0"]);
        assert_eq!(parse([""]), FundIds::default());
    }
}
