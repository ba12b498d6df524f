//! A tokio TCP server in one home and its client in another, across a router:
//! `cargo run -p netns-test --example client_server`.
//!
//! The network is two subnets joined by `r` (`node r forward` turns IP forwarding on),
//! with a default route on each end. Each side runs on its node's own tokio runtime
//! (`Node::spawn`), so its sockets live in that node's network namespace.

use netns_test::{topology, Net, Options};
use std::process::ExitCode;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const TWO_HOMES: &str = "
    node r forward
    a 10.0.1.2/24 -- r:left 10.0.1.1/24
    r:right 10.0.2.1/24 -- b 10.0.2.2/24
    route a default via 10.0.1.1
    route b default via 10.0.2.1
    expect a <-> b
";

fn main() -> ExitCode {
    let topology = topology::parse(TWO_HOMES).expect("the topology is valid");
    let options = Options::new().name(concat!("example.", env!("CARGO_CRATE_NAME")));
    let result = netns_test::run(&topology, options, |net: &Net| {
        // The server: one connection, one line, echoed back in upper case. A future
        // spawned on b's runtime runs on b's thread, so its socket is made in b; the
        // body waits until it listens.
        let listener = net
            .block_on(net.node("b").spawn(TcpListener::bind("10.0.2.2:7000")))
            .expect("the bind task")
            .expect("listening in b");
        let server = net.node("b").spawn(async move {
            let (stream, peer) = listener.accept().await?;
            let (read, mut write) = stream.into_split();
            let mut line = String::new();
            BufReader::new(read).read_line(&mut line).await?;
            write.write_all(line.to_uppercase().as_bytes()).await?;
            Ok::<_, std::io::Error>(peer)
        });
        // The client, in a: its packets cross r.
        let client = net.node("a").spawn(async {
            let stream = TcpStream::connect("10.0.2.2:7000").await?;
            let (read, mut write) = stream.into_split();
            write.write_all(b"hello across the router\n").await?;
            let mut line = String::new();
            BufReader::new(read).read_line(&mut line).await?;
            Ok::<_, std::io::Error>(line)
        });
        // Both run on their nodes' runtimes; the body waits for them.
        let answer = net
            .block_on(client)
            .expect("the client task")
            .expect("the client's exchange");
        let peer = net
            .block_on(server)
            .expect("the server task")
            .expect("the server's exchange");
        assert_eq!(answer, "HELLO ACROSS THE ROUTER\n");
        // The server saw a's address: no NAT on the way.
        assert_eq!(peer.ip(), net.node("a").addr());
        println!("b answered {answer:?} to {peer}");
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
