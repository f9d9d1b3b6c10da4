//! Client instructions by CSV: a folder of bad files (tests/csv_invalid/), each with the
//! exact problem it must produce and no case added; good files in every accepted form;
//! formula cells stored as typed and exported as text; the import and export scopes.

mod common;

use common::World;
use pecs::service::cases::{self, ListQuery};
use pecs::service::instructions::{self, Format};
use pecs::service::{ServiceError, Session};

/// File, and the problems it must produce (in order).
const BAD: &[(&str, &[&str])] = &[
    (
        "bad_date.csv",
        &[
            "row 2, column subject_dob: The date of birth \"31/02/1980\" is not a date (YYYY-MM-DD or DD/MM/YYYY).",
        ],
    ),
    (
        "unknown_case_type.csv",
        &[
            "row 2, column case_type: \"tracing\" is not one of trace, process_serving, investigation, debt_recovery, other.",
        ],
    ),
    (
        "missing_column.csv",
        &["row 1: the header has no column subject_name."],
    ),
    (
        "duplicate_ref.csv",
        &["row 3, column client_ref: HF-1 appears twice in this file."],
    ),
    (
        "wrong_encoding.csv",
        &["row 2: the file is not UTF-8 text (save it as CSV UTF-8)."],
    ),
    (
        "empty.csv",
        &["The file is empty: it needs a header row naming the columns."],
    ),
    ("header_only.csv", &["The file has a header but no rows."]),
    (
        "unknown_column.csv",
        &[
            "row 1, column 4: \"colour\" is not a known column (client_ref, case_type, subject_name, subject_dob, subject_address, due_date, notes).",
        ],
    ),
    ("ragged_row.csv", &["row 2: has 4 cells, the header has 3."]),
    (
        "month_first_date.csv",
        &[
            "row 2, column due_date: The due date \"12/25/2026\" is not a date (YYYY-MM-DD or DD/MM/YYYY).",
        ],
    ),
    ("empty_ref.csv", &["row 2, column client_ref: is empty."]),
    (
        "second_row_bad.csv",
        &["row 3, column subject_name: is empty."],
    ),
];

fn folder() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/csv_invalid")
}

fn count(s: &Session) -> usize {
    cases::list(
        s,
        &ListQuery {
            limit: 200,
            ..Default::default()
        },
    )
    .unwrap()
    .len()
}

#[test]
fn every_bad_file_is_refused_whole_with_its_problems() {
    let w = World::demo();
    let gina = w.login("gina.admin");
    let mut listed: Vec<String> = std::fs::read_dir(folder())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    listed.sort();
    let mut expected: Vec<String> = BAD.iter().map(|(f, _)| f.to_string()).collect();
    expected.sort();
    assert_eq!(
        listed, expected,
        "every file in the folder has its expectation"
    );
    for (file, want) in BAD {
        let bytes = std::fs::read(folder().join(file)).unwrap();
        match instructions::import_csv(&gina, "HARLOW", &bytes) {
            Err(ServiceError::ImportRefused(problems)) => assert_eq!(&problems, want, "{file}"),
            other => panic!("{file}: expected a refusal, got {other:?}"),
        }
        assert_eq!(count(&gina), 0, "{file}: no case added");
    }
}

#[test]
fn a_good_file_imports_every_row_with_bom_any_column_order_and_uk_dates() {
    let w = World::demo();
    let hannah = w.login("hannah.harlow");
    let file = "\u{feff}subject_name,Case Type,client_ref,due_date,subject_dob,notes\n\
                \"Müller, Anna\",Process Serving,HF-10,20/12/2026,1980-02-14,Serve at work\n\
                Ben Jones,debt-recovery,HF-11,,,\n";
    let done = instructions::import_csv(&hannah, "harlow", file.as_bytes()).unwrap();
    assert_eq!(done.references.len(), 2);
    let found = cases::search(&hannah, "muller", 10).unwrap();
    assert_eq!(found[0].due_date.as_deref(), Some("2026-12-20"));
    assert_eq!(found[0].case_type.as_str(), "process_serving");
    let file = cases::open(&hannah, found[0].id).unwrap();
    assert_eq!(file.notes[0].body, "Serve at work");
    assert!(file.notes[0].client_visible);
    // The same references again: already on file.
    let again = instructions::import_csv(
        &hannah,
        "HARLOW",
        "client_ref,case_type,subject_name\nHF-11,trace,X\n".as_bytes(),
    );
    match again {
        Err(ServiceError::ImportRefused(p)) => assert_eq!(
            p,
            ["row 2, column client_ref: HF-11 is already on file for HARLOW."]
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn formula_cells_are_stored_as_typed_and_exported_as_text() {
    let w = World::demo();
    let hannah = w.login("hannah.harlow");
    let file = "client_ref,case_type,subject_name,subject_address\n=cmd|' /C calc'!A0,trace,@SUM(1+1),+44 20 7946 0000\n";
    instructions::import_csv(&hannah, "HARLOW", file.as_bytes()).unwrap();
    let page = cases::list(
        &hannah,
        &ListQuery {
            limit: 5,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(page[0].client_ref.as_deref(), Some("=cmd|' /C calc'!A0"));
    let csv = instructions::export(&hannah, "HARLOW", Format::Csv).unwrap();
    assert!(csv.contains("'=cmd|' /C calc'!A0"), "{csv}");
    assert!(
        csv.contains("'@SUM(1+1)") && csv.contains("'+44 20 7946 0000"),
        "{csv}"
    );
    let json = instructions::export(&hannah, "HARLOW", Format::Json).unwrap();
    assert!(
        json.contains("\"=cmd|' /C calc'!A0\""),
        "JSON keeps the value exact: {json}"
    );
}

#[test]
fn import_and_export_stay_inside_the_callers_organisation() {
    let w = World::demo();
    let harry = w.login("harry.harlow");
    let file = "client_ref,case_type,subject_name\nX-1,trace,Someone\n";
    assert!(matches!(
        instructions::import_csv(&harry, "MERIDIAN", file.as_bytes()),
        Err(ServiceError::NotFound)
    ));
    assert!(
        matches!(
            instructions::export(&harry, "HARLOW", Format::Csv),
            Err(ServiceError::Forbidden)
        ),
        "client users do not export"
    );
    let hannah = w.login("hannah.harlow");
    assert!(matches!(
        instructions::export(&hannah, "KESTREL", Format::Csv),
        Err(ServiceError::NotFound)
    ));
    let carl = w.login("carl.caseworker");
    assert!(matches!(
        instructions::import_csv(&carl, "HARLOW", file.as_bytes()),
        Err(ServiceError::Forbidden)
    ));
}

#[test]
fn oversized_files_are_refused() {
    let w = World::demo();
    let gina = w.login("gina.admin");
    let mut big = String::from("client_ref,case_type,subject_name\n");
    for i in 0..=instructions::MAX_ROWS {
        big.push_str(&format!("R{i},trace,Name\n"));
    }
    match instructions::import_csv(&gina, "HARLOW", big.as_bytes()) {
        Err(ServiceError::ImportRefused(p)) => assert_eq!(
            p,
            ["The file has more than 50000 rows: split it into smaller files."]
        ),
        other => panic!("{other:?}"),
    }
    let huge = vec![b'a'; instructions::MAX_BYTES + 1];
    match instructions::import_csv(&gina, "HARLOW", &huge) {
        Err(ServiceError::ImportRefused(p)) => assert_eq!(p, ["The file is over 10 MB."]),
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&gina), 0);
}

#[test]
fn the_command_line_lists_every_problem_and_imports_nothing() {
    use common::sandbox::{Sandbox, s};
    let sb = Sandbox::new();
    let data = sb.data();
    sb.run(
        &["demo", "--no-tui", "--cases", "0", "--data-dir", s(&data)],
        None,
    )
    .expect(0);
    let as_gina = |args: &[&str]| {
        let mut all = vec![
            "--data-dir",
            s(&data),
            "--user",
            "gina.admin",
            "--password-stdin",
        ];
        all.extend_from_slice(args);
        sb.run(&all, Some(&format!("{}\n", common::PASSWORD)))
    };
    let bad = sb.path("bad.csv");
    std::fs::write(
        &bad,
        "client_ref,case_type,subject_name,due_date\nA-1,tracing,Ann,2026-13-01\nA-1,trace,,\n",
    )
    .unwrap();
    let r = as_gina(&["import", "cases", s(&bad), "--client", "HARLOW"]);
    assert_eq!(r.code, Some(1));
    assert_eq!(
        r.stderr,
        "pecs: The file was not imported: nothing was changed. Problems:\n  \
         row 2, column case_type: \"tracing\" is not one of trace, process_serving, investigation, debt_recovery, other.\n  \
         row 2, column due_date: The due date \"2026-13-01\" is not a date (YYYY-MM-DD or DD/MM/YYYY).\n  \
         row 3, column client_ref: A-1 appears twice in this file.\n  \
         row 3, column subject_name: is empty.\n"
    );
    let good = sb.path("good.csv");
    std::fs::write(
        &good,
        "client_ref,case_type,subject_name\nA-1,trace,Ann Example\nA-2,other,Bo Example\n",
    )
    .unwrap();
    let r = as_gina(&["import", "cases", s(&good), "--client", "HARLOW"]);
    r.expect(0);
    let year = chrono::Datelike::year(&chrono::Utc::now());
    assert_eq!(
        r.stdout,
        format!("Imported 2 cases for HARLOW: PE-{year}-000001 to PE-{year}-000002.\n")
    );
    let r = sb.run(
        &[
            "--data-dir",
            s(&data),
            "--user",
            "hannah.harlow",
            "--password-stdin",
            "export",
            "cases",
            "--client",
            "HARLOW",
            "--format",
            "json",
        ],
        Some(&format!("{}\n", common::PASSWORD)),
    );
    r.expect(0);
    assert!(
        r.stdout.contains("\"subject_name\": \"Ann Example\""),
        "{}",
        r.stdout
    );
}
