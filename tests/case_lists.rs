//! The case list: paging by key visits every case the caller may see exactly once, in
//! the order asked for (ties broken by id, cases without a due date last), and each filter
//! (status, type, client, assignee, overdue) returns exactly the cases that match it.

mod common;

use common::{World, local_origin};
use pecs::domain::{Case, CaseStatus, CaseType, Priority};
use pecs::service::cases::{self, After, Details, ListQuery, NewCase, Sort};
use pecs::service::{Session, demo};
use rstest::rstest;
use std::collections::HashSet;

const SEEDED: usize = 240;

/// The demo cast with 240 demo cases (many sharing a due date) and three without one.
fn world() -> World {
    let w = World::demo();
    demo::seed_cases(&w.pecs, SEEDED, local_origin()).expect("seed cases");
    let gina = w.login("gina.admin");
    let harlow = cases::directory(&gina)
        .unwrap()
        .client_by_code("HARLOW")
        .unwrap()
        .id;
    for n in 0..3 {
        let details = Details {
            client_ref: Some(format!("NO-DUE-{n}")),
            case_type: CaseType::Other,
            subject_name: format!("Undated Subject {n}"),
            subject_dob: None,
            subject_address: String::new(),
            priority: Priority::Normal,
            due_date: None,
        };
        cases::create(
            &gina,
            &NewCase {
                client_org: harlow,
                details,
            },
        )
        .unwrap();
    }
    gina.logout().unwrap();
    w
}

/// Every case of the query, page after page of `page` rows, each page starting after
/// the last row of the one before.
fn all_pages(s: &Session, query: &ListQuery, page: i64) -> Vec<Case> {
    let mut all: Vec<Case> = Vec::new();
    loop {
        let rows = cases::list(
            s,
            &ListQuery {
                after: all.last().map(After::of),
                limit: page,
                ..query.clone()
            },
        )
        .unwrap();
        assert!(rows.len() as i64 <= page, "a page holds at most {page}");
        let done = (rows.len() as i64) < page;
        all.extend(rows);
        if done {
            return all;
        }
    }
}

/// The same cases in the order `sort` promises.
fn in_order(mut cases: Vec<Case>, sort: Sort) -> Vec<Case> {
    match sort {
        Sort::Due => cases.sort_by(|a, b| {
            let key = |c: &Case| (c.due_date.is_none(), c.due_date.clone(), c.id);
            key(a).cmp(&key(b))
        }),
        Sort::Updated => cases.sort_by_key(|c| std::cmp::Reverse((c.updated_at, c.id))),
        Sort::Reference => cases.sort_by(|a, b| a.reference.cmp(&b.reference)),
    }
    cases
}

fn references(cases: &[Case]) -> Vec<&str> {
    cases.iter().map(|c| c.reference.as_str()).collect()
}

#[rstest]
fn paging_visits_every_visible_case_once_in_order(
    #[values("sue.supervisor", "hannah.harlow", "carl.caseworker")] who: &str,
    #[values(Sort::Due, Sort::Updated, Sort::Reference)] sort: Sort,
) {
    let w = world();
    let s = w.login(who);
    let query = ListQuery {
        sort,
        ..ListQuery::default()
    };
    let everything = all_pages(&s, &query, 200);
    let paged = all_pages(&s, &query, 7);
    let seen: HashSet<_> = paged.iter().map(|c| c.id).collect();
    assert_eq!(seen.len(), paged.len(), "{who}: no case twice");
    assert_eq!(
        references(&paged),
        references(&in_order(everything.clone(), sort)),
        "{who}, {sort:?}: pages of 7 give every case once, in order"
    );
    let expected = match who {
        "sue.supervisor" => SEEDED + 3,
        "hannah.harlow" => SEEDED / 3 + 3,
        _ => everything
            .iter()
            .filter(|c| c.assigned_to == Some(s.info().user_id))
            .count(),
    };
    assert_eq!(paged.len(), expected, "{who} sees their scope, all of it");
    if who == "carl.caseworker" {
        assert!(expected > 10, "carl has cases to page through");
    }
    if sort == Sort::Due {
        let undated: Vec<_> = paged.iter().skip_while(|c| c.due_date.is_some()).collect();
        assert!(
            undated.iter().all(|c| c.due_date.is_none()),
            "cases without a due date come last"
        );
    }
}

#[test]
fn an_edited_case_comes_first_by_last_change() {
    let w = world();
    let sue = w.login("sue.supervisor");
    let by_reference = all_pages(
        &sue,
        &ListQuery {
            sort: Sort::Reference,
            ..ListQuery::default()
        },
        200,
    );
    let target = &by_reference[17];
    w.clock.advance_ms(60_000);
    cases::assign(&sue, target.id, None).unwrap();
    let first = cases::list(
        &sue,
        &ListQuery {
            sort: Sort::Updated,
            limit: 1,
            ..ListQuery::default()
        },
    )
    .unwrap();
    assert_eq!(references(&first), [target.reference.as_str()]);
}

#[test]
fn each_filter_returns_exactly_the_cases_that_match() {
    let w = world();
    let sue = w.login("sue.supervisor");
    let directory = cases::directory(&sue).unwrap();
    let meridian = directory.client_by_code("MERIDIAN").unwrap().id;
    let carl = directory.person_by_name("carl.caseworker").unwrap().id;
    let all = all_pages(&sue, &ListQuery::default(), 200);
    let today = w.pecs.now().to_date();
    let filtered = |q: ListQuery| {
        let mut got = references(&all_pages(&sue, &q, 50))
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        got.sort();
        got
    };
    let expected = |keep: &dyn Fn(&Case) -> bool| {
        let mut want: Vec<String> = all
            .iter()
            .filter(|c| keep(c))
            .map(|c| c.reference.clone())
            .collect();
        want.sort();
        assert!(!want.is_empty(), "the fixture has cases for each filter");
        want
    };
    assert_eq!(
        filtered(ListQuery {
            case_type: Some(CaseType::ProcessServing),
            ..ListQuery::default()
        }),
        expected(&|c| c.case_type == CaseType::ProcessServing),
        "type"
    );
    assert_eq!(
        filtered(ListQuery {
            client: Some(meridian),
            ..ListQuery::default()
        }),
        expected(&|c| c.client_org_id == meridian),
        "client"
    );
    assert_eq!(
        filtered(ListQuery {
            assignee: Some(carl),
            ..ListQuery::default()
        }),
        expected(&|c| c.assigned_to == Some(carl)),
        "assignee"
    );
    assert_eq!(
        filtered(ListQuery {
            status: Some(CaseStatus::Active),
            ..ListQuery::default()
        }),
        expected(&|c| c.status == CaseStatus::Active),
        "status"
    );
    let overdue = |c: &Case| {
        c.due_date.as_deref().is_some_and(|d| d < today.as_str())
            && !matches!(c.status, CaseStatus::Completed | CaseStatus::Closed)
    };
    assert_eq!(
        filtered(ListQuery {
            overdue_on: Some(today.clone()),
            ..ListQuery::default()
        }),
        expected(&overdue),
        "overdue"
    );
    assert_eq!(
        filtered(ListQuery {
            client: Some(meridian),
            assignee: Some(carl),
            overdue_on: Some(today.clone()),
            ..ListQuery::default()
        }),
        expected(&|c| c.client_org_id == meridian && c.assigned_to == Some(carl) && overdue(c)),
        "filters combine"
    );
}
