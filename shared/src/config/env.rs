//! The one way configuration reads variables: trimmed, empty counts as unset, parse errors name
//! the variable, and credentials come back as `SecretString` so they never reach a log.
use std::str::FromStr;

use secrecy::SecretString;

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub(crate) String);

/// Variables from the process environment or, in tests, any lookup function.
pub struct Env<F = fn(&str) -> Option<String>>(F);

fn process(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Env(process as fn(&str) -> Option<String>)
    }
}

impl<F: Fn(&str) -> Option<String>> Env<F> {
    pub fn from_lookup(lookup: F) -> Self {
        Env(lookup)
    }

    /// Whether the variable is present at all, even empty (for "empty turns it off").
    pub fn is_present(&self, name: &str) -> bool {
        (self.0)(name).is_some()
    }

    /// The trimmed value; `None` when unset or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// The value parsed, or `default` when unset or empty.
    pub fn parse<T: FromStr>(&self, name: &str, default: T) -> Result<T, ConfigError> {
        self.parse_opt(name).map(|v| v.unwrap_or(default))
    }

    /// The value parsed, `None` when unset or empty.
    pub fn parse_opt<T: FromStr>(&self, name: &str) -> Result<Option<T>, ConfigError> {
        match self.get(name) {
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| ConfigError(format!("{name}={v:?} is not valid"))),
            None => Ok(None),
        }
    }

    pub fn required(&self, name: &str) -> Result<String, ConfigError> {
        self.get(name).ok_or_else(|| {
            ConfigError(format!(
                "{name} must be set (run scripts/setup.sh, see README)"
            ))
        })
    }

    /// A credential: never logged, shown as `[REDACTED]` by `Debug`.
    pub fn secret(&self, name: &str) -> Option<SecretString> {
        self.get(name).map(SecretString::from)
    }

    /// A comma-separated list, items trimmed, empty items dropped.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_trimmed_values_and_names_the_bad_one() {
        let env = Env::from_lookup(|name: &str| match name {
            "A" => Some(" 7 ".to_string()),
            "EMPTY" => Some("  ".to_string()),
            "KEYS" => Some("a, ,b".to_string()),
            "BAD" => Some("x".to_string()),
            _ => None,
        });
        assert_eq!(env.parse("A", 1).unwrap(), 7);
        assert_eq!(env.parse("EMPTY", 1).unwrap(), 1);
        assert!(env.is_present("EMPTY") && !env.is_present("NONE"));
        assert_eq!(env.list("KEYS"), ["a", "b"]);
        assert!(
            env.parse::<u32>("BAD", 1)
                .unwrap_err()
                .to_string()
                .contains("BAD=\"x\"")
        );
        assert!(
            env.required("NONE")
                .unwrap_err()
                .to_string()
                .contains("NONE must be set")
        );
        let secret = env.secret("A").unwrap();
        assert!(!format!("{secret:?}").contains('7'));
    }
}
