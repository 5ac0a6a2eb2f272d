//! TCP_NODELAY on this process's connections to the PostgreSQL server.
//! sqlx 0.9.0 stopped setting it (sqlx issue #4335, fixed upstream by
//! #4336, not yet released), and without it a message written right after
//! a large one waits for the server's delayed ACK: every COPY's closing
//! CopyDone took 40 ms, so an import spent 4 s of 6 s waiting. sqlx gives
//! no hook to its socket, so each new connection looks for sockets whose
//! peer is the server's port and sets the option on them; doing so twice,
//! or on another connection to the same port, is harmless. Remove this
//! module once sqlx sets the option again.
use std::ffi::c_int;

/// Sets TCP_NODELAY on every TCP socket of this process connected to
/// `port`. Linux only (reads /proc/self/fd); elsewhere it does nothing.
/// Public so that bench/bare_list's baseline pool sets it as the app does.
pub fn set_for_port(port: u16) {
    #[cfg(target_os = "linux")]
    {
        let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
            return;
        };
        for fd in fds.flatten() {
            if let Some(fd) = fd
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<c_int>().ok())
                && peer_port(fd) == Some(port)
            {
                let on: c_int = 1;
                // SAFETY: `fd` is a socket of this process (peer_port said
                // so); the option value is a c_int of the size given.
                unsafe {
                    libc::setsockopt(
                        fd,
                        libc::IPPROTO_TCP,
                        libc::TCP_NODELAY,
                        (&on as *const c_int).cast(),
                        size_of::<c_int>() as libc::socklen_t,
                    )
                };
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = port;
}

/// The peer's port when `fd` is a connected TCP (IPv4 or IPv6) socket.
#[cfg(target_os = "linux")]
fn peer_port(fd: c_int) -> Option<u16> {
    // SAFETY: zeroed sockaddr_storage is valid; getpeername writes at most
    // `len` bytes into it and fails harmlessly on a non-socket.
    unsafe {
        let mut addr: libc::sockaddr_storage = std::mem::zeroed();
        let mut len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        if libc::getpeername(
            fd,
            (&mut addr as *mut libc::sockaddr_storage).cast(),
            &mut len,
        ) != 0
        {
            return None;
        }
        match addr.ss_family as c_int {
            libc::AF_INET => {
                let a = &*(&addr as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>();
                Some(u16::from_be(a.sin_port))
            }
            libc::AF_INET6 => {
                let a = &*(&addr as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>();
                Some(u16::from_be(a.sin6_port))
            }
            _ => None,
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn sets_the_option_on_sockets_to_the_port() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        assert!(!client.nodelay().unwrap());
        assert_eq!(peer_port(client.as_raw_fd()), Some(port));
        set_for_port(port);
        assert!(client.nodelay().unwrap());
    }
}
