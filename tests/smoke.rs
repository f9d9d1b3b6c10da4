mod common;

#[test]
fn demo_world_logs_in() {
    let w = common::World::demo();
    let s = w.login("hannah.harlow");
    assert_eq!(s.info().org_code, "HARLOW");
    s.logout().unwrap();
}
