use netns_test::netns_test;

#[netns_test(topology = "a -- b")]
fn type_param<T: Default>() {}

#[netns_test(topology = "a -- b")]
fn lifetime<'a>(net: &'a netns_test::Net) {}

#[netns_test(topology = "a -- b")]
fn where_clause()
where
    u8: Copy,
{
}

fn main() {}
