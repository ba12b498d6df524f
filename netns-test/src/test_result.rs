//! What a test body may return.

use std::fmt::Debug;

/// The return types a body may have: `()` or `Result<(), E: Debug>`, as with `#[test]`.
pub trait TestResult {
    /// `Err` carries the message that fails the test.
    fn into_result(self) -> Result<(), String>;
}

impl TestResult for () {
    fn into_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: Debug> TestResult for Result<(), E> {
    fn into_result(self) -> Result<(), String> {
        self.map_err(|e| format!("{e:?}"))
    }
}
