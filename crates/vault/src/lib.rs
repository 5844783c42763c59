//! Personal data at rest (个人信息加密存储): citizen IDs, phone numbers and attachment
//! contents are sealed with AES-256-GCM-SIV before they reach the database, and a keyed
//! blind index (HMAC-SHA256) stands in for the citizen ID wherever the store needs
//! equality: uniqueness and lookup by ID.
//!
//! Invariants:
//! - Text is sealed deterministically (the nonce is an HMAC of the plaintext), so equal
//!   plaintexts under one key seal equally. That leaks equality only, which the blind
//!   index leaks anyway, and it keeps "is this value unchanged?" a plain comparison.
//!   Attachments are sealed with random nonces.
//! - Every sealed value names the key that sealed it, so a key ring with an old and a new
//!   key opens both while `keys rotate` re-seals.
//! - Losing the key file loses the sealed values: nothing here can recover them.

use aes_gcm_siv::aead::{Aead, KeyInit};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use zeroize::Zeroize;

type HmacSha256 = Hmac<Sha256>;

/// Prefix of sealed text: version and key id follow.
const TEXT_PREFIX: &str = "dj1:";
/// Magic of sealed bytes (attachments).
const BYTES_MAGIC: &[u8; 4] = b"DJV1";
const ID_LEN: usize = 8;
const NONCE_LEN: usize = 12;

/// Why the key ring or a sealed value could not be used. Messages are for users.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("无法读写密钥文件 {path}：{reason}")]
    Io { path: String, reason: String },
    #[error("密钥文件 {path} 第{line}行格式不对：应为“密钥编号 64位十六进制密钥”；请用创建时的原文件")]
    Malformed { path: String, line: usize },
    #[error("找不到密钥文件 {path}：数据库中的身份证号、手机号和附件已加密，需要加密时的密钥文件；请把它放回原处，或用环境变量 DANGJIAN_KEY_FILE 指定")]
    Missing { path: String },
    #[error("环境变量 DANGJIAN_KEY 应为64位十六进制（32字节）密钥")]
    BadEnvKey,
    #[error("数据使用密钥 {id} 加密，但所给密钥中没有它；请指定当时的密钥文件（DANGJIAN_KEY_FILE 或 --key-file），没有它这些数据无法解密")]
    UnknownKey { id: String },
    #[error("加密数据已损坏或被篡改，无法解密")]
    Tampered,
}

/// One key: a 32-byte master secret and the keys derived from it.
struct Key {
    id: String,
    master: [u8; 32],
    cipher: Aes256GcmSiv,
    nonce_key: [u8; 32],
    index_key: [u8; 32],
}

impl Drop for Key {
    fn drop(&mut self) {
        self.master.zeroize();
        self.nonce_key.zeroize();
        self.index_key.zeroize();
    }
}

fn derive(master: &[u8; 32], label: &str) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

impl Key {
    fn from_master(master: [u8; 32]) -> Key {
        let id = hex(&derive(&master, "dangjian key id")[..ID_LEN / 2]);
        let enc = derive(&master, "dangjian seal");
        let cipher = Aes256GcmSiv::new_from_slice(&enc).expect("32-byte key");
        Key { id, cipher, nonce_key: derive(&master, "dangjian nonce"), index_key: derive(&master, "dangjian blind index"), master }
    }

    fn random() -> Key {
        let mut m = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut m);
        Key::from_master(m)
    }
}

/// Where a key ring came from, for messages and for `keys rotate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A key file (created on first use, mode 0600).
    File(PathBuf),
    /// The environment variable DANGJIAN_KEY.
    Environment,
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::File(p) => write!(f, "密钥文件 {}", p.display()),
            KeySource::Environment => write!(f, "环境变量 DANGJIAN_KEY"),
        }
    }
}

/// The keys a store can open with; one of them (the active key) seals.
pub struct Keyring {
    keys: Vec<Key>,
    active: usize,
    source: KeySource,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("keys", &self.ids()).field("active", &self.active_id()).field("source", &self.source).finish()
    }
}

impl Keyring {
    /// The key ring from DANGJIAN_KEY (hex) or DANGJIAN_KEY_FILE if set, else from
    /// `default_file`. A missing file is created when `create` (a database with nothing
    /// sealed yet), else refused. Returns whether a file was created.
    pub fn from_env_or_file(default_file: &Path, create: bool) -> Result<(Keyring, bool), VaultError> {
        if let Ok(hexkey) = std::env::var("DANGJIAN_KEY") {
            if !hexkey.trim().is_empty() {
                let master = unhex32(hexkey.trim()).ok_or(VaultError::BadEnvKey)?;
                return Ok((Keyring { keys: vec![Key::from_master(master)], active: 0, source: KeySource::Environment }, false));
            }
        }
        let path = match std::env::var_os("DANGJIAN_KEY_FILE") {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => default_file.to_path_buf(),
        };
        if !create && !path.exists() {
            return Err(VaultError::Missing { path: path.display().to_string() });
        }
        Keyring::load_or_create(&path)
    }

    /// Where the key ring would come from (for messages before it is loaded).
    pub fn file_in_use(default_file: &Path) -> KeySource {
        if std::env::var("DANGJIAN_KEY").is_ok_and(|k| !k.trim().is_empty()) {
            return KeySource::Environment;
        }
        match std::env::var_os("DANGJIAN_KEY_FILE") {
            Some(p) if !p.is_empty() => KeySource::File(PathBuf::from(p)),
            _ => KeySource::File(default_file.to_path_buf()),
        }
    }

    /// Reads a key file, or creates one with a fresh key (mode 0600, never overwriting).
    pub fn load_or_create(path: &Path) -> Result<(Keyring, bool), VaultError> {
        match Keyring::load(path) {
            Ok(k) => Ok((k, false)),
            Err(VaultError::Io { .. }) if !path.exists() => {
                let ring = Keyring { keys: vec![Key::random()], active: 0, source: KeySource::File(path.to_path_buf()) };
                // Written whole under another name, then linked into place: a process
                // starting at the same moment sees no file or a complete one, never half.
                // The name is this call's own: threads of one process may race here too.
                static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let tmp = path.with_extension(format!("new{}-{n}", std::process::id()));
                let _ = std::fs::remove_file(&tmp);
                write_new(&tmp, &ring.file_text()).map_err(|e| io_err(&tmp, e))?;
                let linked = std::fs::hard_link(&tmp, path);
                let _ = std::fs::remove_file(&tmp);
                match linked {
                    Ok(()) => Ok((ring, true)),
                    // Another process created it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok((Keyring::load(path)?, false)),
                    Err(e) => Err(io_err(path, e)),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Reads a key file: one key per line, "ID HEX", newest first; `#` starts a comment.
    pub fn load(path: &Path) -> Result<Keyring, VaultError> {
        let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
        let mut keys = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || VaultError::Malformed { path: path.display().to_string(), line: n + 1 };
            let mut parts = line.split_whitespace();
            let (Some(id), Some(h), None) = (parts.next(), parts.next(), parts.next()) else { return Err(bad()) };
            let key = Key::from_master(unhex32(h).ok_or_else(bad)?);
            if key.id != id {
                return Err(bad());
            }
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(VaultError::Malformed { path: path.display().to_string(), line: 1 });
        }
        Ok(Keyring { keys, active: 0, source: KeySource::File(path.to_path_buf()) })
    }

    /// A ring of one fixed key (tests, and stores whose key is given in code).
    pub fn from_master(master: [u8; 32]) -> Keyring {
        Keyring { keys: vec![Key::from_master(master)], active: 0, source: KeySource::Environment }
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// Key ids, newest first.
    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.id.as_str()).collect()
    }

    /// The id of the key that seals.
    pub fn active_id(&self) -> &str {
        &self.keys[self.active].id
    }

    /// The id of the newest key (the one a fresh database starts with).
    pub fn newest_id(&self) -> &str {
        &self.keys[0].id
    }

    /// Makes the key `id` the sealing key (the one a database says it was sealed with).
    pub fn activate(&mut self, id: &str) -> Result<(), VaultError> {
        self.active = self.keys.iter().position(|k| k.id == id).ok_or_else(|| VaultError::UnknownKey { id: id.to_string() })?;
        Ok(())
    }

    /// The same ring with a fresh key in front, active; the old keys still open.
    pub fn rotated(&self) -> Keyring {
        let mut keys = vec![Key::random()];
        keys.extend(self.keys.iter().map(|k| Key::from_master(k.master)));
        Keyring { keys, active: 0, source: self.source.clone() }
    }

    /// Only the active key: what remains once a rotation has re-sealed everything.
    pub fn only_active(&self) -> Keyring {
        Keyring { keys: vec![Key::from_master(self.keys[self.active].master)], active: 0, source: self.source.clone() }
    }

    /// The keys other than the active one, as a ring (kept for restoring old backups).
    pub fn retired(&self) -> Option<Keyring> {
        let keys: Vec<Key> = self.keys.iter().enumerate().filter(|(i, _)| *i != self.active).map(|(_, k)| Key::from_master(k.master)).collect();
        (!keys.is_empty()).then(|| Keyring { keys, active: 0, source: self.source.clone() })
    }

    /// Writes the ring to `path` atomically (a temporary file renamed over it), mode 0600.
    pub fn save(&self, path: &Path) -> Result<(), VaultError> {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        write_new(&tmp, &self.file_text()).map_err(|e| io_err(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))
    }

    fn file_text(&self) -> String {
        let mut s = String::from(
            "# dangjian 数据密钥：身份证号、手机号和附件用它加密。\n\
             # 请与数据库备份分开保存；丢失后加密数据无法恢复。每行一个密钥，最新的在前。\n",
        );
        for k in &self.keys {
            let _ = writeln!(s, "{} {}", k.id, hex(&k.master));
        }
        s
    }

    fn key(&self, id: &str) -> Result<&Key, VaultError> {
        self.keys.iter().find(|k| k.id == id).ok_or_else(|| VaultError::UnknownKey { id: id.to_string() })
    }

    /// Seals text deterministically under the active key: "dj1:KEYID:BASE64".
    pub fn seal(&self, plain: &str) -> String {
        let k = &self.keys[self.active];
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&k.nonce_key).expect("any key length");
        mac.update(plain.as_bytes());
        let tag = mac.finalize().into_bytes();
        let nonce = Nonce::from_slice(&tag[..NONCE_LEN]);
        let ct = k.cipher.encrypt(nonce, plain.as_bytes()).expect("AES-GCM-SIV seals any length we store");
        let mut raw = Vec::with_capacity(NONCE_LEN + ct.len());
        raw.extend_from_slice(nonce);
        raw.extend_from_slice(&ct);
        format!("{TEXT_PREFIX}{}:{}", k.id, b64(&raw))
    }

    /// True when `text` is sealed text (whatever key).
    pub fn is_sealed(text: &str) -> bool {
        text.starts_with(TEXT_PREFIX)
    }

    /// Opens sealed text with whichever key of the ring sealed it.
    pub fn open(&self, sealed: &str) -> Result<String, VaultError> {
        let rest = sealed.strip_prefix(TEXT_PREFIX).ok_or(VaultError::Tampered)?;
        let (id, body) = rest.split_once(':').ok_or(VaultError::Tampered)?;
        let k = self.key(id)?;
        let raw = unb64(body).ok_or(VaultError::Tampered)?;
        if raw.len() < NONCE_LEN {
            return Err(VaultError::Tampered);
        }
        let plain = k.cipher.decrypt(Nonce::from_slice(&raw[..NONCE_LEN]), &raw[NONCE_LEN..]).map_err(|_| VaultError::Tampered)?;
        String::from_utf8(plain).map_err(|_| VaultError::Tampered)
    }

    /// The blind index of a value under the active key: 32 hex characters (128 bits of
    /// HMAC-SHA256), equal for equal values, useless without the key.
    pub fn blind_index(&self, plain: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.keys[self.active].index_key).expect("any key length");
        mac.update(plain.as_bytes());
        hex(&mac.finalize().into_bytes()[..16])
    }

    /// Seals bytes (an attachment) under the active key with a random nonce.
    pub fn seal_bytes(&self, plain: &[u8]) -> Vec<u8> {
        let k = &self.keys[self.active];
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = k.cipher.encrypt(Nonce::from_slice(&nonce), plain).expect("AES-GCM-SIV seals any length we store");
        let mut out = Vec::with_capacity(4 + ID_LEN + NONCE_LEN + ct.len());
        out.extend_from_slice(BYTES_MAGIC);
        out.extend_from_slice(k.id.as_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Opens sealed bytes.
    pub fn open_bytes(&self, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        let head = 4 + ID_LEN + NONCE_LEN;
        if sealed.len() < head || &sealed[..4] != BYTES_MAGIC {
            return Err(VaultError::Tampered);
        }
        let id = std::str::from_utf8(&sealed[4..4 + ID_LEN]).map_err(|_| VaultError::Tampered)?;
        let k = self.key(id)?;
        k.cipher.decrypt(Nonce::from_slice(&sealed[4 + ID_LEN..head]), &sealed[head..]).map_err(|_| VaultError::Tampered)
    }
}

fn io_err(path: &Path, e: std::io::Error) -> VaultError {
    VaultError::Io { path: path.display().to_string(), reason: e.to_string() }
}

/// Creates a file that must not exist yet, readable by its owner only.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// URL-safe base64 without padding (sealed text sits in TEXT columns and CSV cells).
fn b64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (*b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn unb64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = B64.iter().position(|b| *b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ring() -> Keyring {
        Keyring::from_master([7; 32])
    }

    proptest! {
        #[test]
        fn text_round_trips_and_is_deterministic(s in "\\PC{0,40}") {
            let r = ring();
            let sealed = r.seal(&s);
            prop_assert!(Keyring::is_sealed(&sealed));
            prop_assert_eq!(r.open(&sealed).unwrap(), s.clone());
            prop_assert_eq!(sealed, r.seal(&s));
        }

        #[test]
        fn bytes_round_trip(b in proptest::collection::vec(any::<u8>(), 0..300)) {
            let r = ring();
            prop_assert_eq!(r.open_bytes(&r.seal_bytes(&b)).unwrap(), b);
        }

        #[test]
        fn base64_round_trips(b in proptest::collection::vec(any::<u8>(), 0..100)) {
            prop_assert_eq!(unb64(&b64(&b)).unwrap(), b);
        }
    }

    #[test]
    fn sealed_text_hides_the_value_and_detects_tampering() {
        let r = ring();
        let s = r.seal("110101199003077777");
        assert!(!s.contains("1101011990"));
        let mut t = s.clone().into_bytes();
        let last = t.len() - 1;
        t[last] = if t[last] == b'A' { b'B' } else { b'A' };
        assert!(matches!(r.open(std::str::from_utf8(&t).unwrap()), Err(VaultError::Tampered)));
        let other = Keyring::from_master([8; 32]);
        assert!(matches!(other.open(&s), Err(VaultError::UnknownKey { .. })));
        assert_ne!(r.blind_index("110101199003077777"), other.blind_index("110101199003077777"));
        assert_eq!(r.blind_index("110101199003077777").len(), 32);
    }

    #[test]
    fn a_rotated_ring_opens_old_values_and_seals_new_ones() {
        let old = ring();
        let sealed = old.seal("13800000000");
        let new = old.rotated();
        assert_eq!(new.open(&sealed).unwrap(), "13800000000");
        assert_ne!(new.active_id(), old.active_id());
        let resealed = new.seal("13800000000");
        assert!(resealed.contains(new.active_id()));
        assert!(matches!(old.open(&resealed), Err(VaultError::UnknownKey { .. })));
        assert_eq!(new.only_active().ids(), vec![new.active_id()]);
        assert_eq!(new.retired().unwrap().ids(), vec![old.active_id()]);
    }

    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        let dir = std::env::temp_dir().join(format!("dj-vault-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("test.key");
        let _ = std::fs::remove_file(&path);
        let (a, created) = Keyring::load_or_create(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let (b, created) = Keyring::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(a.ids(), b.ids());
        assert_eq!(b.open(&a.seal("x")).unwrap(), "x");
        a.rotated().save(&path).unwrap();
        assert_eq!(Keyring::load(&path).unwrap().ids().len(), 2);
        std::fs::write(&path, "abc def\n").unwrap();
        let e = Keyring::load(&path).unwrap_err().to_string();
        assert!(e.contains("第1行"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
