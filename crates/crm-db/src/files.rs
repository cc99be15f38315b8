//! The document store: file contents outside the database, named by their SHA-256.
//!
//! A file is received into `<root>/.incoming/` while its hash, size and type are worked out from
//! the bytes as they stream by (memory holds one chunk and the first 64 KiB), then renamed to
//! `<root>/<first two hex digits>/<sha256>`. The same content twice is one file. Stored files never
//! change, so a copy taken at any moment is whole; one no document names any more is removed by
//! [`Store::sweep`] once it is old enough that no upload in flight can still be about to name it.

use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tempfile::NamedTempFile;

/// Bytes of a file's start kept for telling its type.
const HEAD: usize = 64 * 1024;

/// Longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 256;

/// Images larger than this (in pixels per side, or bytes of decoded memory) get no thumbnail: a
/// small file can claim to be a huge picture.
const MAX_IMAGE_SIDE: u32 = 12_000;
const MAX_IMAGE_ALLOC: u64 = 256 * 1024 * 1024;

/// The store's default place for a database: `documents/` beside a SQLite file, `data/documents`
/// (under the working directory) for PostgreSQL.
pub fn default_root(database_url: &str) -> PathBuf {
    match database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
    {
        Some(file) => Path::new(file)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join("documents"),
        None => PathBuf::from("data/documents"),
    }
}

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The store under `root`, created when missing.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Store> {
        let root = root.into();
        fs::create_dir_all(root.join(".incoming"))?;
        Ok(Store { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the file with this hash lives; `None` for anything that is not a SHA-256 in hex
    /// (a name from the database is never trusted as a path).
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let ok = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// A file being received.
    pub fn incoming(&self) -> io::Result<Incoming> {
        Ok(Incoming {
            file: NamedTempFile::new_in(self.root.join(".incoming"))?,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
            text: Utf8Check::default(),
        })
    }

    /// Keeps a received file under its hash (once: a second copy is dropped).
    pub fn keep(&self, file: NamedTempFile, sha256: &str) -> io::Result<()> {
        let path = self
            .path_of(sha256)
            .ok_or_else(|| io::Error::other("not a SHA-256"))?;
        // Kept already: made young again, so that the sweep leaves it to the document about to
        // name it (unless the sweep took it just now, which the rename below then undoes).
        match fs::OpenOptions::new().write(true).open(&path) {
            Ok(existing) => return existing.set_modified(SystemTime::now()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        file.as_file().sync_all()?;
        file.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }

    /// Stores bytes made here (a thumbnail, the demo's files); answers their hash.
    pub fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let mut incoming = self.incoming()?;
        incoming.write(bytes)?;
        let received = incoming.finish();
        let sha = received.sha256.clone();
        self.keep(received.file, &sha)?;
        Ok(sha)
    }

    /// Removes stored files no document names (`keep` answers whether one does) that are older
    /// than `grace`, and abandoned incoming files; answers how many went.
    pub fn sweep(&self, keep: impl Fn(&str) -> bool, grace: Duration) -> io::Result<usize> {
        let old = |meta: &fs::Metadata| {
            meta.modified()
                .ok()
                .and_then(|m| SystemTime::now().duration_since(m).ok())
                .is_some_and(|age| age >= grace)
        };
        let mut removed = 0;
        for dir in fs::read_dir(&self.root)? {
            let dir = dir?;
            if !dir.file_type()?.is_dir() {
                continue;
            }
            let incoming = dir.file_name() == ".incoming";
            for file in fs::read_dir(dir.path())? {
                let file = file?;
                let name = file.file_name().to_string_lossy().into_owned();
                let meta = file.metadata()?;
                let unused = incoming || (self.path_of(&name).is_some() && !keep(&name));
                if unused && meta.is_file() && old(&meta) {
                    fs::remove_file(file.path())?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Copies the named files into a store at `to` (a backup's files); answers files and bytes.
    pub fn copy_to(&self, to: &Store, hashes: &BTreeSet<String>) -> io::Result<(usize, u64)> {
        let (mut files, mut bytes) = (0, 0);
        for sha in hashes {
            let (Some(from), Some(dest)) = (self.path_of(sha), to.path_of(sha)) else {
                continue;
            };
            if dest.exists() {
                continue;
            }
            if let Some(dir) = dest.parent() {
                fs::create_dir_all(dir)?;
            }
            let mut tmp = NamedTempFile::new_in(to.root.join(".incoming"))?;
            bytes += io::copy(&mut fs::File::open(&from)?, &mut tmp)?;
            tmp.as_file().sync_all()?;
            tmp.persist(&dest).map_err(|e| e.error)?;
            files += 1;
        }
        Ok((files, bytes))
    }
}

/// A file arriving: written to a temporary file in the store as its chunks come.
pub struct Incoming {
    file: NamedTempFile,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    text: Utf8Check,
}

impl Incoming {
    pub fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.file.write_all(chunk)?;
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.text.feed(chunk);
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn finish(mut self) -> Received {
        let _ = self.file.flush();
        let content_type = sniff(&self.head, self.text.is_text());
        Received {
            file: self.file,
            sha256: hex::encode(self.hasher.finalize()),
            size: self.size,
            content_type,
        }
    }
}

/// A whole file, hashed and typed, not yet kept.
pub struct Received {
    pub file: NamedTempFile,
    pub sha256: String,
    pub size: u64,
    /// The type the store takes it as, or what it looks like when the store does not take it.
    pub content_type: Result<&'static str, String>,
}

impl Received {
    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

/// Whether a stream of bytes is UTF-8 text (no NUL, no invalid sequence), chunk by chunk.
#[derive(Default)]
struct Utf8Check {
    carry: Vec<u8>,
    bad: bool,
}

impl Utf8Check {
    fn feed(&mut self, chunk: &[u8]) {
        if self.bad {
            return;
        }
        if chunk.contains(&0) {
            self.bad = true;
            return;
        }
        let mut buf = std::mem::take(&mut self.carry);
        buf.extend_from_slice(chunk);
        match std::str::from_utf8(&buf) {
            Ok(_) => {}
            // A character cut by the chunk's end: keep its start for the next chunk.
            Err(e) if e.error_len().is_none() => self.carry = buf[e.valid_up_to()..].to_vec(),
            Err(_) => self.bad = true,
        }
    }

    fn is_text(&self) -> bool {
        !self.bad && self.carry.is_empty()
    }
}

/// The type of a file from its first bytes (and whether all of it is UTF-8 text): one of
/// [`crm_domain::document::ALLOWED_TYPES`], or `Err` with what it seems to be.
pub fn sniff(head: &[u8], utf8_text: bool) -> Result<&'static str, String> {
    use crm_domain::document::ALLOWED_TYPES;
    match infer::get(head) {
        Some(kind) => {
            let found = kind.mime_type();
            ALLOWED_TYPES
                .iter()
                .find(|t| **t == found)
                .copied()
                .ok_or_else(|| found.to_string())
        }
        None if utf8_text && !head.is_empty() => Ok("text/plain"),
        None if head.is_empty() => Err("empty".into()),
        None => Err("application/octet-stream".into()),
    }
}

/// A PNG no larger than [`THUMBNAIL_SIDE`] of the image at `path`; `None` when it cannot be read
/// (or claims to be larger than a sane picture).
pub fn thumbnail(path: &Path) -> Option<Vec<u8>> {
    let mut reader = image::ImageReader::open(path)
        .ok()?
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_ALLOC);
    reader.limits(limits);
    let picture = reader.decode().ok()?;
    let small = picture.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE);
    let mut out = io::Cursor::new(Vec::new());
    small.write_to(&mut out, image::ImageFormat::Png).ok()?;
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receive(store: &Store, chunks: &[&[u8]]) -> Received {
        let mut incoming = store.incoming().unwrap();
        for c in chunks {
            incoming.write(c).unwrap();
        }
        incoming.finish()
    }

    #[test]
    fn types_come_from_the_content_not_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let pdf = receive(&store, &[b"%PDF-1.4\n", b"1 0 obj\n"]);
        assert_eq!(pdf.content_type, Ok("application/pdf"));
        // A Windows program, whatever it is called.
        let exe = receive(
            &store,
            &[b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"],
        );
        assert!(exe.content_type.is_err(), "{:?}", exe.content_type);
        // Text split inside a character is still text.
        let word = "方案".as_bytes();
        let text = receive(&store, &[&word[..2], &word[2..], b" ok\n"]);
        assert_eq!(text.content_type, Ok("text/plain"));
        let binary = receive(&store, &[b"abc\x00def"]);
        assert!(binary.content_type.is_err());
        let latin1 = receive(&store, &[b"caf\xe9 au lait"]);
        assert!(latin1.content_type.is_err());
        assert_eq!(receive(&store, &[]).content_type, Err("empty".into()));
    }

    #[test]
    fn the_same_content_is_stored_once_and_swept_when_unnamed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = store.put(b"hello").unwrap();
        let b = store.put(b"hello").unwrap();
        assert_eq!(a, b);
        let path = store.path_of(&a).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"hello");
        assert!(store.path_of("../../etc/passwd").is_none());
        // Named: stays. Unnamed but young: stays. Unnamed and old enough: goes.
        assert_eq!(store.sweep(|_| true, Duration::ZERO).unwrap(), 0);
        assert_eq!(
            store.sweep(|_| false, Duration::from_secs(3600)).unwrap(),
            0
        );
        assert_eq!(store.sweep(|_| false, Duration::ZERO).unwrap(), 1);
        assert!(!path.exists());
    }

    #[test]
    fn thumbnails_of_images_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let picture = image::RgbImage::from_pixel(600, 300, image::Rgb([200, 30, 30]));
        let mut png = io::Cursor::new(Vec::new());
        picture.write_to(&mut png, image::ImageFormat::Png).unwrap();
        let got = receive(&store, &[png.get_ref()]);
        assert_eq!(got.content_type, Ok("image/png"));
        let small = thumbnail(got.path()).expect("a thumbnail");
        let small = image::load_from_memory(&small).unwrap();
        assert_eq!((small.width(), small.height()), (256, 128));
        let text = receive(&store, &[b"not a picture"]);
        assert!(thumbnail(text.path()).is_none());
    }
}
