//! The audiences a node accepts in request tokens: its node id, its public base URL and
//! configured aliases, each normalised, so `http://LOCALHOST:80/` and
//! `http://localhost` name the same node.
//!
//! Normalising a URL lowercases its scheme and host (the `url` crate's parser), drops
//! the scheme's default port, and drops a trailing `/` of the path; a name that is not
//! a URL (`urn:…`, a bare node id) is compared as given, trimmed. A loopback base URL
//! (`localhost`, `127.0.0.1`, `[::1]`) also accepts the other loopback spellings with
//! the same scheme, port and path: they reach the same listener.

/// The audiences a node accepts, normalised and without duplicates, in the order given
/// (the first is the node's own id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audiences(Vec<String>);

/// Longest audience name considered (longer ones are refused unread).
const MAX_AUDIENCE_LEN: usize = 2048;

const LOOPBACK: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// `name` normalised for comparison (see the module documentation).
pub fn normalise_audience(name: &str) -> String {
    let name = name.trim();
    match url::Url::parse(name) {
        Ok(u) if u.has_host() && u.query().is_none() && u.fragment().is_none() => {
            let s = u.as_str();
            s.trim_end_matches('/').to_string()
        }
        _ => name.to_string(),
    }
}

/// The other loopback spellings of a normalised URL on a loopback host.
fn loopback_aliases(normalised: &str) -> Vec<String> {
    let Ok(u) = url::Url::parse(normalised) else {
        return Vec::new();
    };
    let Some(host) = u.host_str() else {
        return Vec::new();
    };
    if !LOOPBACK.contains(&host) {
        return Vec::new();
    }
    LOOPBACK
        .iter()
        .filter(|h| **h != host)
        .filter_map(|h| {
            let mut other = u.clone();
            other.set_host(Some(h)).ok()?;
            Some(other.as_str().trim_end_matches('/').to_string())
        })
        .collect()
}

impl Audiences {
    /// The accepted audiences from `names` (node id first, then base URL and aliases).
    pub fn new<I, S>(names: I) -> Audiences
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out: Vec<String> = Vec::new();
        let mut push = |s: String| {
            if !s.is_empty() && !out.contains(&s) {
                out.push(s);
            }
        };
        let given: Vec<String> = names
            .into_iter()
            .map(|n| normalise_audience(n.as_ref()))
            .collect();
        for n in &given {
            push(n.clone());
        }
        for n in &given {
            for a in loopback_aliases(n) {
                push(a);
            }
        }
        Audiences(out)
    }

    /// Whether a token's `aud` value names this node.
    pub fn accepts(&self, aud: &str) -> bool {
        aud.len() <= MAX_AUDIENCE_LEN && self.0.contains(&normalise_audience(aud))
    }

    /// The accepted names, normalised.
    pub fn names(&self) -> &[String] {
        &self.0
    }
}

impl From<&str> for Audiences {
    fn from(name: &str) -> Audiences {
        Audiences::new([name])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_compared_normalised() {
        let a = Audiences::new(["https://Node.Example:443/"]);
        assert_eq!(a.names(), ["https://node.example"]);
        for ok in [
            "https://node.example",
            "HTTPS://NODE.EXAMPLE/",
            "https://node.example:443",
        ] {
            assert!(a.accepts(ok), "{ok}");
        }
        for bad in [
            "http://node.example",
            "https://node.example:8443",
            "https://node.example/other",
            "https://node.example.evil",
            "",
        ] {
            assert!(!a.accepts(bad), "{bad}");
        }
        let p = Audiences::new(["https://node.example/js/"]);
        assert!(p.accepts("https://NODE.example/js"));
        assert!(!p.accepts("https://node.example/JS"));
    }

    #[test]
    fn a_loopback_url_accepts_every_loopback_spelling_and_names_stay_exact() {
        let a = Audiences::new(["http://127.0.0.1:8080"]);
        for ok in [
            "http://127.0.0.1:8080/",
            "http://localhost:8080",
            "http://[::1]:8080",
        ] {
            assert!(a.accepts(ok), "{ok}");
        }
        assert!(!a.accepts("http://localhost:8081"));
        assert!(!a.accepts("https://localhost:8080"));
        let n = Audiences::new(["urn:node:sh", "urn:node:sh"]);
        assert_eq!(n.names(), ["urn:node:sh"]);
        assert!(n.accepts(" urn:node:sh "));
        assert!(!n.accepts("urn:node:SH"));
    }
}
