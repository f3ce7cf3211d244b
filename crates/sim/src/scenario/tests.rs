use super::*;

const BASE: &str = "name = \"t\"\ndays = 30\n[traffic]\nmodel = \"constant\"\ncalls_per_day = 10\n";

fn with(extra: &str) -> Result<Validated, ScenarioError> {
    Scenario::from_toml(&format!("{BASE}{extra}"))?.validate()
}

#[test]
fn zk_amounts_are_at_most_the_max_supply() {
    let e = with("[protocol]\nfixed_interop_fee = \"21000000001 ZK\"\n").unwrap_err();
    assert_eq!(e.key, "protocol.fixed_interop_fee");
    assert!(
        e.problem.contains("21,000,000,000 ZK") && e.problem.contains("21000000001"),
        "{e}"
    );
    let digits = format!(
        "[protocol]\ngateway_settlement_fee = \"1{} ZK\"\n",
        "0".repeat(50)
    );
    let e = with(&digits).unwrap_err();
    assert_eq!(e.key, "protocol.gateway_settlement_fee");
    let e = with("[protocol]\ngateway_settlement_fee = \"21000000000 ZK\"\n").unwrap_err();
    assert!(e.problem.contains("at most 1000000 ZK"), "{e}");
    assert!(with("[protocol]\ngateway_settlement_fee = \"1000000 ZK\"\n").is_ok());
    let e = with("[protocol]\nfee_flow_threshold = \"21000000001 ZK\"\n").unwrap_err();
    assert_eq!(e.key, "protocol.fee_flow_threshold");
    let e = with("[protocol]\nfixed_interop_fee = \"1e50 ZK\"\n").unwrap_err();
    assert!(e.problem.contains("exponents"), "{e}");
    let e = with("[protocol]\nfixed_interop_fee = \"inf ZK\"\n").unwrap_err();
    assert!(e.problem.contains("not a finite number"), "{e}");
}

#[test]
fn nothing_is_scheduled_after_the_horizon() {
    let e = with("[[governance.changes]]\nday = 30\nburn_bps = 5000\n").unwrap_err();
    assert_eq!(e.key, "governance.changes[0].day");
    assert!(e.problem.contains("horizon of 30 days"), "{e}");
    assert!(with("[[governance.changes]]\nday = 29\nvia = \"direct\"\nburn_bps = 5000\n").is_ok());
    let season = "[staking]\nenabled = true\nseasons = [{ cap = \"1 ZK\", start_day = 0, days = 5 }, { cap = \"1 ZK\", start_day = 30, days = 5 }]\n";
    let e = with(season).unwrap_err();
    assert_eq!(e.key, "staking.seasons[1].start_day");
    // Disabled staking does not run its seasons: the defaults (days 0 and 90) are fine.
    assert!(with("[staking]\nenabled = false\n").is_ok());
}

#[test]
fn shortening_the_horizon_drops_only_what_it_cannot_reach() {
    let mut s = Scenario::from_toml(&format!(
        "{}[[governance.changes]]\nday = 10\nvia = \"direct\"\nburn_bps = 5000\n[[governance.changes]]\nday = 20\nvia = \"direct\"\nburn_bps = 4000\n[staking]\nenabled = true\n",
        BASE.replace("days = 30", "days = 365")
    ))
    .unwrap();
    assert!(s.clone().validate().is_ok());
    let dropped = s.set_horizon(15);
    assert_eq!(
        dropped,
        vec![
            ("governance.changes[1]".to_string(), 20),
            ("staking.seasons[1]".to_string(), 90)
        ]
    );
    let v = s.validate().unwrap();
    assert_eq!(v.changes.len(), 1);
    assert_eq!(v.seasons.len(), 1);
}

#[test]
fn a_tiny_stake_is_refused_when_staking_runs() {
    let e = with("[staking]\nenabled = true\ninitial_stake = \"1 wei\"\n").unwrap_err();
    assert_eq!(e.key, "staking.initial_stake");
    assert!(e.problem.contains("at least 1000 ZK"), "{e}");
    assert!(with("[staking]\nenabled = false\ninitial_stake = \"1 wei\"\n").is_ok());
}

#[test]
fn parse_errors_name_the_key_not_a_comment() {
    let e = Scenario::from_toml("# a comment\nname = \"x\"\n").unwrap_err();
    assert_eq!(e.key, "traffic", "{e}");
    assert!(e.problem.contains("missing"), "{e}");
    let e =
        Scenario::from_toml("# a comment\n[traffic]\nmodel = \"constant\"\ncalls_per_day = 1\n")
            .unwrap_err();
    assert_eq!(e.key, "name", "{e}");
    let e = Scenario::from_toml(&format!("{BASE}[protocol]\nburn_bps = 1\nburn_bps = 2\n"))
        .unwrap_err();
    assert!(e.key.contains("burn_bps"), "{e}");
    assert!(e.problem.contains("duplicate"), "{e}");
    let e =
        Scenario::from_toml(&format!("name = \"a\"\nname = \"b\"\n{}", &BASE[10..])).unwrap_err();
    assert_eq!(e.key, "name", "{e}");
}

#[test]
fn parse_errors_name_the_exact_dotted_key() {
    let key = |extra: &str| {
        Scenario::from_toml(&format!("{BASE}{extra}"))
            .unwrap_err()
            .key
    };
    // An unknown key in a nested table is blamed on that table, not on the one before.
    assert_eq!(
        key("[prices.zk]\nmodel = \"constant\"\ninitial_usd = 1.0\nvolatility = 2\n"),
        "prices.zk.volatility"
    );
    // A value of the wrong type in a tagged table: the key itself, not the table.
    assert_eq!(
        key("[prices.zk]\nmodel = \"constant\"\ninitial_usd = \"a\"\n"),
        "prices.zk.initial_usd"
    );
    let e = Scenario::from_toml(
        "name = \"z\"\n[traffic]\nmodel = \"constant\"\ncalls_per_day = \"lots\"\n",
    )
    .unwrap_err();
    assert_eq!(e.key, "traffic.calls_per_day", "{e}");
    assert!(e.problem.contains("\"lots\""), "{e}");
    // Arrays of tables: the element's index.
    let a = "[[chains]]\nname = \"a\"\nbase_token = \"ETH\"\ntraffic_share = 0.5\n";
    let b = |rest: &str| key(&format!("{a}[[chains]]\nname = \"b\"\n{rest}"));
    assert_eq!(
        b("base_token = \"DOGE\"\ntraffic_share = 0.5\n"),
        "chains[1].base_token"
    );
    assert_eq!(b("traffic_share = 0.5\n"), "chains[1].base_token");
    assert_eq!(
        b("base_token = \"ETH\"\ntraffic_share = 0.5\nshare = 1\n"),
        "chains[1].share"
    );
    assert_eq!(
        b("base_token = \"ETH\"\ntraffic_share = 0.5e\n"),
        "chains.traffic_share",
        "a syntax error falls back to the line's key"
    );
    // Inline tables and arrays of inline tables.
    assert_eq!(
        key("[staking]\nseasons = [{ cap = \"1 ZK\", start_day = 0, days = 5 }, { cap = \"1 ZK\", start_day = -1, days = 5 }]\n"),
        "staking.seasons[1].start_day"
    );
    assert_eq!(
        key("[staking]\nseasons = [{ cap = \"1 ZK\", start_day = 0 }]\n"),
        "staking.seasons[0].days"
    );
    let top = |extra: &str| {
        Scenario::from_toml(&format!("{extra}{BASE}"))
            .unwrap_err()
            .key
    };
    assert_eq!(
        top("operators = { margin = 0.1, buy = true }\n"),
        "operators.buy"
    );
    assert_eq!(
        top("prices = { zk = { model = \"gbm\", initial_usd = 1.0, drift_per_year = 0.0 } }\n"),
        "prices.zk.volatility_per_year"
    );
    assert_eq!(
        key("[[governance.changes]]\nday = 1\n[[governance.changes]]\nday = 2\nburn_bps = 70000\n"),
        "governance.changes[1].burn_bps"
    );
    // Top-level keys keep their plain names.
    assert_eq!(top("runs = -1\n"), "runs");
}

#[test]
fn oversized_scenarios_are_refused_before_parsing() {
    let text = format!("{BASE}#{}\n", "x".repeat(MAX_SCENARIO_BYTES as usize));
    let e = Scenario::from_toml(&text).unwrap_err();
    assert!(e.problem.contains("limit"), "{e}");
}

#[test]
fn numbers_are_shown_as_written() {
    assert_eq!(shown(30.0), "30");
    assert_eq!(shown(0.5), "0.5");
    assert_eq!(shown(1e300), "1e300");
    assert_eq!(shown(-1e-300), "-1e-300");
    assert_eq!(shown(f64::NAN), "NaN");
    let big = BASE.replace("calls_per_day = 10", "calls_per_day = 1e300");
    let e = Scenario::from_toml(&big).unwrap().validate().unwrap_err();
    assert!(e.problem.ends_with("got 1e300"), "{e}");
}

#[test]
fn reads_stop_at_the_limit_and_refuse_what_is_not_a_regular_file() {
    let dir = std::env::temp_dir().join(format!("flywheel-read-limit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.toml");
    std::fs::write(&big, vec![b'#'; 2048]).unwrap();
    let e = read_limited(&big, 1024).unwrap_err();
    assert!(e.contains("1024-byte limit"), "{e}");
    let e = read_limited(std::path::Path::new("/dev/zero"), 1024).unwrap_err();
    assert_eq!(e, "/dev/zero: not a regular file (a character device)");
    let e = read_limited(&dir, 1024).unwrap_err();
    assert!(e.ends_with("not a regular file (a folder)"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
