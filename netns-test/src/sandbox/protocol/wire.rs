//! The fields of a frame's payload, little-endian: numbers, strings with a u32 length,
//! and the records made of them (a panic, a failed check).

use crate::failed_checks::{CheckKind, FailedCheck};
use crate::sandbox::panics::PanicRecord;

/// Little-endian fields, strings with a u32 length.
#[derive(Default)]
pub(super) struct Put(pub(super) Vec<u8>);

impl Put {
    pub(super) fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    pub(super) fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub(super) fn str(&mut self, s: &str) -> &mut Self {
        self.0.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
        self
    }
    pub(super) fn checks(&mut self, v: &[FailedCheck]) -> &mut Self {
        self.u64(v.len() as u64);
        v.iter().for_each(|c| {
            self.u8(c.kind.to_byte()).str(&c.message);
        });
        self
    }
    pub(super) fn panic(&mut self, p: &PanicRecord) -> &mut Self {
        self.str(&p.message).str(&p.location).str(&p.thread);
        self.u64(p.frames.len() as u64);
        p.frames.iter().for_each(|f| {
            self.u64(*f);
        });
        self
    }
    pub(super) fn result_str(&mut self, r: &Result<String, String>) -> &mut Self {
        match r {
            Ok(s) => self.u8(1).str(s),
            Err(s) => self.u8(0).str(s),
        }
    }
}

pub(super) struct Get<'a>(pub(super) &'a [u8]);

impl Get<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    pub(super) fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    pub(super) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    pub(super) fn str(&mut self) -> Option<String> {
        let n = u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize;
        Some(String::from_utf8_lossy(self.take(n)?).into_owned())
    }
    pub(super) fn checks(&mut self) -> Option<Vec<FailedCheck>> {
        (0..self.u64()?)
            .map(|_| {
                Some(FailedCheck::new(
                    CheckKind::from_byte(self.u8()?)?,
                    self.str()?,
                ))
            })
            .collect()
    }
    pub(super) fn panic(&mut self) -> Option<PanicRecord> {
        Some(PanicRecord {
            message: self.str()?,
            location: self.str()?,
            thread: self.str()?,
            frames: (0..self.u64()?.min(1000))
                .map(|_| self.u64())
                .collect::<Option<_>>()?,
        })
    }
    pub(super) fn result_str(&mut self) -> Option<Result<String, String>> {
        Some(match self.u8()? {
            1 => Ok(self.str()?),
            _ => Err(self.str()?),
        })
    }
}
