//! The terminal before and after `up`'s session: an interactive shell in the sandbox
//! makes its own process group the terminal's foreground group and may leave the
//! terminal's modes changed if it is killed; this gives both back.

/// The terminal's modes when the session began, if stdin is a terminal.
pub struct Saved(Option<libc::termios>);

impl Saved {
    /// Takes the modes of stdin's terminal; nothing if stdin is not one.
    pub fn take() -> Saved {
        // SAFETY: isatty and tcgetattr read into a zeroed termios of our own.
        unsafe {
            if libc::isatty(0) != 1 {
                return Saved(None);
            }
            let mut modes: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut modes) != 0 {
                return Saved(None);
            }
            Saved(Some(modes))
        }
    }

    /// Makes this process's group the foreground group again and restores the modes.
    pub fn restore(self) {
        let Some(modes) = self.0 else { return };
        // SAFETY: terminal calls on fd 0 with our own termios; SIGTTOU, which
        // tcsetpgrp from a background group raises (and which would stop this
        // process), is ignored around them and set back after.
        unsafe {
            let previous = libc::signal(libc::SIGTTOU, libc::SIG_IGN);
            libc::tcsetpgrp(0, libc::getpgrp());
            libc::tcsetattr(0, libc::TCSADRAIN, &modes);
            libc::signal(libc::SIGTTOU, previous);
        }
    }
}
