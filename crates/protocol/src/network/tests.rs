//! `Defund` against the network API.

use super::*;
use crate::genesis::{devnet, eth};
use crate::units::tokens;

/// `Defund` is `Fund`'s inverse: it lowers the holder's balance and the issued supply, is
/// refused beyond the balance with nothing changed, and replays.
#[test]
fn defund_takes_supply_out_and_refuses_more_than_the_balance() {
    let g = Genesis::devnet();
    let mut net = Network::new(&g).unwrap();
    let who = crate::genesis::account("holder");
    let mut log = net
        .apply(Action::Fund {
            chain: devnet::ERA,
            asset: eth(),
            to: who,
            amount: tokens(5),
        })
        .unwrap();
    let before = net.state().clone();
    let too_much = Action::Defund {
        chain: devnet::ERA,
        asset: eth(),
        from: who,
        amount: tokens(6),
    };
    assert!(matches!(
        net.apply(too_much),
        Err(ProtocolError::InsufficientBalance(s)) if s.balance == tokens(5) && s.needed == tokens(6)
    ));
    assert_eq!(net.state(), &before);
    log.extend(
        net.apply(Action::Defund {
            chain: devnet::ERA,
            asset: eth(),
            from: who,
            amount: tokens(2),
        })
        .unwrap(),
    );
    let era = net.state().chain(devnet::ERA).unwrap();
    assert_eq!(era.balance(eth(), who), tokens(3));
    assert_eq!(net.state().issued.get(&eth()).copied(), Some(tokens(3)));
    assert_eq!(net.state().total_balance(eth()), tokens(3));
    let replayed = Network::replay(&g, Code::default(), &log).unwrap();
    assert_eq!(replayed.state(), net.state());
}
