//! Login throttling (登录限流): after 5 failed logins for an account, or from one address,
//! within 15 minutes, further attempts wait — 30 seconds, doubling with each failure, at
//! most 15 minutes — and are answered 429 with the time to retry, the right password
//! included, so guessing cannot go on at the server's speed. A success clears the account.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before waiting starts.
pub const FREE_FAILURES: u32 = 5;
const WINDOW: Duration = Duration::from_secs(15 * 60);
const FIRST_WAIT: Duration = Duration::from_secs(30);
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

#[derive(Debug)]
struct Entry {
    failures: u32,
    last: Instant,
    until: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    entries: Mutex<HashMap<String, Entry>>,
}

/// The keys an attempt counts against: the account, and the source address when known.
pub fn keys(username: &str, addr: Option<std::net::IpAddr>) -> Vec<String> {
    let mut k = vec![format!("u:{}", username.trim().to_lowercase())];
    if let Some(a) = addr {
        k.push(format!("a:{a}"));
    }
    k
}

impl LoginThrottle {
    /// How long the attempt must wait, if it must.
    pub fn wait(&self, keys: &[String]) -> Option<Duration> {
        let now = Instant::now();
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().filter_map(|k| map.get(k)).filter_map(|e| e.until.filter(|u| *u > now).map(|u| u - now)).max()
    }

    pub fn failed(&self, keys: &[String]) {
        let now = Instant::now();
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 50_000 {
            map.retain(|_, e| now.duration_since(e.last) < WINDOW || e.until.is_some_and(|u| u > now));
        }
        for k in keys {
            let e = map.entry(k.clone()).or_insert(Entry { failures: 0, last: now, until: None });
            if now.duration_since(e.last) >= WINDOW && e.until.is_none_or(|u| u <= now) {
                e.failures = 0;
            }
            e.failures += 1;
            e.last = now;
            if e.failures >= FREE_FAILURES {
                let wait = FIRST_WAIT.saturating_mul(1 << (e.failures - FREE_FAILURES).min(10)).min(MAX_WAIT);
                e.until = Some(now + wait);
            }
        }
    }

    /// A successful login clears the account's count (not the address's).
    pub fn succeeded(&self, username: &str) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("u:{}", username.trim().to_lowercase()));
    }
}

/// 登录失败次数过多，请在2分钟后（14:05之后）再试.
pub fn message(wait: Duration) -> String {
    let secs = wait.as_secs().max(1);
    let when = chrono::Local::now() + chrono::Duration::seconds(secs as i64);
    let span = if secs < 60 { format!("{secs}秒") } else { format!("{}分钟", secs.div_ceil(60)) };
    format!("登录失败次数过多，请在{span}后（{}之后）再试；如忘记密码，请联系管理员重置", when.format("%H:%M:%S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_then_waiting_that_doubles() {
        let t = LoginThrottle::default();
        let k = keys("Zhang", None);
        for _ in 0..4 {
            t.failed(&k);
            assert!(t.wait(&k).is_none());
        }
        t.failed(&k);
        let first = t.wait(&k).expect("waits after 5 failures");
        assert!(first <= Duration::from_secs(30) && first > Duration::from_secs(25));
        t.failed(&k);
        assert!(t.wait(&keys("zhang", None)).unwrap() > Duration::from_secs(55), "doubles, whatever the case of the name");
        t.succeeded("zhang");
        assert!(t.wait(&k).is_none());
        assert!(message(first).contains("秒后"));
    }
}
