//! The initial sync's one answer: WhatsApp's `<participating>` reply for 1,000 groups and
//! 100,000 participants (as the simulator encodes it), decoded and turned into wamod's rows, as
//! whatsapp-rust hands it to `engine::group_list`. Time by criterion; the resident memory it
//! adds at its peak (Linux: the peak reset before, read after) is printed once, since the reply
//! arrives in one piece.

// Test code: a failed unwrap is how a test fails (the crate denies them elsewhere).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use wamod::engine::convert::Me;
use wamod::engine::group_list::parse_participating;
use wamod::perf::memory::{peak_rss_mb, reset_peak, rss_mb};
use wamod::sim::scale::{self, OPERATOR, Scale};
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::marshal::{marshal, unmarshal_ref};

/// The reply's bytes (after the frame's flag byte), as the simulator sends them.
fn reply() -> Vec<u8> {
    let world = scale::scenario(Scale::BUDGET, 0).world;
    let groups: Vec<_> = world
        .groups
        .values()
        .map(|g| wamod::sim::groups_iq::group_node(&world, g, true))
        .collect();
    let iq = NodeBuilder::new("iq")
        .attr("type", "result")
        .children([NodeBuilder::new("groups").children(groups).build()])
        .build();
    let mut bytes = marshal(&iq).expect("marshal");
    bytes.remove(0);
    bytes
}

fn sync(c: &mut Criterion) {
    let bytes = reply();
    let me = Me {
        pn_user: Some(OPERATOR.into()),
        lid_user: None,
    };
    let parse = || {
        let node = unmarshal_ref(&bytes).expect("decode");
        parse_participating(&node, &me).expect("parse")
    };
    // The world that built the reply is freed: its pages go back first, so the parse cannot
    // hide in them.
    wamod::heap::release_freed();
    let reset = reset_peak();
    let before = rss_mb().unwrap_or(0.0);
    let rows = parse();
    let peak = peak_rss_mb().unwrap_or(0.0) - before;
    // The parse tree is freed; what stays is the rows (as wamod trims after a sync).
    wamod::heap::release_freed();
    let kept = rss_mb().unwrap_or(0.0) - before;
    let members: usize = rows.iter().map(|g| g.roster.len()).sum();
    eprintln!(
        "sync reply: {} groups, {members} participants, {:.1} MB on the wire; resident memory \
         added at the peak of decoding and converting {peak:.0} MB{}, kept as rows {kept:.0} MB",
        rows.len(),
        bytes.len() as f64 / 1e6,
        if reset {
            ""
        } else {
            " (peak not reset: an upper bound)"
        },
    );
    drop(rows);
    let mut g = c.benchmark_group("sync");
    g.sample_size(10);
    g.bench_function("participating_reply_1000_groups_100k_participants", |b| {
        b.iter(parse)
    });
    g.finish();
}

criterion_group!(benches, sync);
criterion_main!(benches);
