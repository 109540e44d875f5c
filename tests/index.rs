//! `phr-index` and `phr-record search` on records archived and edited through the real binaries:
//! results checked against the fields they were given (accents both ways, prefixes, phrases,
//! `Field:value`, AND/OR/NOT, date ranges, collection and status filters), the index following
//! `phr-record set` and `rm`, `--rebuild`, the job form, and bad queries refused in one line.

use crate::archive::{archive, databox_world, hot, records, PHR_RECORD};
use crate::util::{jpeg, World};

const PHR_INDEX: &str = env!("CARGO_BIN_EXE_phr-index");

/// Archives one record per entry, sets its fields with `phr-record set`, returns their ids.
fn corpus(w: &World, entries: &[&[(&str, &[&str])]]) -> Vec<i64> {
    for (i, _) in entries.iter().enumerate() {
        jpeg(&hot(w).join(format!("r{i}.jpg")), i as u8 + 1);
    }
    archive(w, &[]).ok();
    let all = records(w);
    let mut ids = Vec::new();
    for (i, fields) in entries.iter().enumerate() {
        let r = all.iter().find(|r| r["original_name"] == format!("r{i}.jpg")).unwrap();
        let id = r["id"].as_i64().unwrap();
        for (field, values) in fields.iter() {
            let mut args = vec!["set".to_string(), id.to_string(), field.to_string()];
            args.extend(values.iter().map(|v| v.to_string()));
            w.phr(PHR_RECORD, &args.iter().map(String::as_str).collect::<Vec<_>>()).ok();
        }
        ids.push(id);
    }
    ids
}

/// The ids `phr-record search QUERY EXTRA…` finds, in its order.
fn search(w: &World, query: &str, extra: &[&str]) -> Vec<i64> {
    let mut args = vec!["search", query, "--json"];
    args.extend_from_slice(extra);
    let out = w.phr(PHR_RECORD, &args).ok().json();
    out["records"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort();
    ids
}

fn three(w: &World) -> (i64, i64, i64) {
    let ids = corpus(
        w,
        &[
            &[
                ("Title", &["Été à Orléans"]),
                ("Keywords", &["sun", "plage"]),
                ("Date", &["2014-06-01"]),
                ("Ville", &["Orléans"]),
            ],
            &[
                ("Title", &["ete sunny day"]),
                ("Keywords", &["mer"]),
                ("Date", &["2015-01-01T10:00:00"]),
                ("Ville", &["Paris"]),
            ],
            &[
                ("Title", &["Ballade en forêt"]),
                ("Keywords", &["arbre", "terre"]),
                ("Date", &["2014-12-31T10:11:12"]),
                ("Ville", &["Tours"]),
            ],
        ],
    );
    w.phr(PHR_INDEX, &["--once"]).ok();
    (ids[0], ids[1], ids[2])
}

#[test]
fn search_finds_words_accents_prefixes_phrases_fields_operators_and_dates() {
    let w = databox_world();
    let (a, b, c) = three(&w);
    let find = |q: &str| sorted(search(&w, q, &[]));
    assert_eq!(find("ete"), vec![a, b], "accents fold: ete finds été");
    assert_eq!(find("ÉTÉ"), vec![a, b], "and été finds ete");
    assert_eq!(find("sun*"), vec![a, b], "prefix: sun and sunny");
    assert_eq!(find("sun"), vec![a]);
    assert_eq!(find(r#""en forêt""#), vec![c]);
    assert_eq!(find(r#""forêt en""#), Vec::<i64>::new(), "a phrase keeps its order");
    assert_eq!(find("Ville:orleans"), vec![a]);
    assert_eq!(find("ville:ORLÉANS"), vec![a], "field names and values ignore case");
    assert_eq!(find("Keywords:orleans"), Vec::<i64>::new(), "only in that field");
    assert_eq!(find(r#"Title:"à orléans""#), vec![a]);
    assert_eq!(find("Title:bal*"), vec![c]);
    assert_eq!(find("ete AND paris"), vec![b]);
    assert_eq!(find("ete paris"), vec![b], "words side by side are ANDed");
    assert_eq!(find("plage OR arbre"), vec![a, c]);
    assert_eq!(find("ete NOT paris"), vec![a]);
    assert_eq!(find("(mer OR terre) NOT Ville:tours"), vec![b]);
    assert_eq!(find("Date:2014-01-01..2014-12-31"), vec![a, c]);
    assert_eq!(find("Date:2014-12-31..2014-12-31"), vec![c], "the upper bound takes the whole day");
    assert_eq!(find("Date:..2014-06"), vec![a]);
    assert_eq!(find("ete Date:2015.."), vec![b]);
    // The JSON is list's, plus a score; the best match comes first.
    let out = w.phr(PHR_RECORD, &["search", "sun*", "--json"]).ok().json();
    let first = &out["records"][0];
    assert_eq!(first["id"], a, "sun matches a whole word of record a: {out}");
    assert_eq!(first["fields"]["Ville"], serde_json::json!(["Orléans"]));
    assert!(first["score"].as_f64().unwrap() > out["records"][1]["score"].as_f64().unwrap());
    assert_eq!(search(&w, "ete", &["-n", "1"]).len(), 1);
    // The table for people.
    let table = w.phr(PHR_RECORD, &["search", "forêt", "--wide"]).ok().stdout;
    assert!(table.contains("Ballade en forêt"), "{table}");
}

#[test]
fn the_most_relevant_come_first_then_the_newest() {
    let w = databox_world();
    let ids = corpus(
        &w,
        &[
            &[("Title", &["plage au soleil"]), ("Date", &["2014-06-01"])],
            &[("Title", &["plage au soleil"]), ("Date", &["2015-06-01"])],
            &[("Title", &["plage plage"]), ("Date", &["2016-06-01"])],
            &[("Title", &["plage au soleil"]), ("Date", &["2017-06-01"])],
        ],
    );
    w.phr(PHR_INDEX, &["--once"]).ok();
    // Equal scores (same words, same length) go newest first: created later, higher id.
    let mut ties = vec![ids[0], ids[1], ids[3]];
    ties.sort_by(|a, b| b.cmp(a));
    let mut want = vec![ids[2]];
    want.extend(&ties);
    assert_eq!(search(&w, "plage", &[]), want, "the word twice in a short title ranks first");
    assert_eq!(search(&w, "plage", &["-n", "2"]), want[..2].to_vec());
    assert_eq!(
        search(&w, "soleil Date:2015..2017", &["-n", "1"]),
        vec![ties.iter().copied().filter(|&i| i != ids[0]).max().unwrap()]
    );
    assert_eq!(search(&w, "plage Date:2017..2014", &[]), Vec::<i64>::new(), "a range ending before it starts");
}

#[test]
fn collection_and_status_filters_narrow_a_search() {
    let w = databox_world();
    let (a, b, _) = three(&w);
    w.phr(PHR_RECORD, &["status", &b.to_string(), "--on", "published"]).ok();
    w.phr(PHR_INDEX, &["--once"]).ok();
    assert_eq!(search(&w, "ete", &["--status", "1xxxx"]), vec![b]);
    assert_eq!(search(&w, "ete", &["--status", "0xxxx"]), vec![a]);
    assert_eq!(sorted(search(&w, "ete", &["--collection", "68"])), vec![a, b]);
    assert_eq!(search(&w, "ete", &["--collection", "archives"]), Vec::<i64>::new());
    w.phr(PHR_RECORD, &["search", "ete", "--collection", "nope"]).code(64).one_line_error("no collection");
}

#[test]
fn the_index_follows_set_and_rm_and_rebuilds_from_scratch() {
    let w = databox_world();
    let (a, b, c) = three(&w);
    assert!(records(&w).iter().all(|r| !r["pending"].as_array().unwrap().contains(&"index".into())));
    w.phr(PHR_RECORD, &["set", &b.to_string(), "Title", "Plage du nord"]).ok();
    assert_eq!(search(&w, "nord", &[]), Vec::<i64>::new(), "not indexed yet");
    w.phr(PHR_INDEX, &["--once"]).ok();
    assert_eq!(search(&w, "nord", &[]), vec![b]);
    assert_eq!(search(&w, "sunny", &[]), Vec::<i64>::new(), "the old title left the index");
    // A removed record leaves the index with its removal, before any phr-index.
    w.phr(PHR_RECORD, &["rm", &a.to_string()]).ok();
    assert_eq!(search(&w, "ete", &[]), Vec::<i64>::new());
    assert_eq!(sorted(search(&w, "plage OR arbre", &[])), vec![b, c]);
    // A rebuild from scratch gives the same answers.
    w.phr(PHR_INDEX, &["--rebuild", "--once"]).ok();
    assert_eq!(sorted(search(&w, "plage OR arbre", &[])), vec![b, c]);
    assert_eq!(search(&w, "orleans", &[]), Vec::<i64>::new());
    // One record as a job of the queue (run isolated as phr-index --job ID).
    w.phr(PHR_RECORD, &["set", &c.to_string(), "Ville", "Blois"]).ok();
    let job = w.add(&["index", &c.to_string()]);
    w.drain("1");
    assert_eq!(w.status_of(job), "done", "{}", w.job(job));
    assert_eq!(search(&w, "Ville:blois", &[]), vec![c]);
}

#[test]
fn a_bad_query_is_one_line_and_exit_65() {
    let w = databox_world();
    three(&w);
    for (query, says) in [
        (r#"ete "en forêt"#, "quote is not closed"),
        ("ete AND", "AND has nothing after it"),
        ("OR ete", "OR has nothing before it"),
        ("NOT ete", "NOT needs"),
        ("(ete", "'(' is not closed"),
        ("Nope:ete", "unknown field"),
        ("Date:2014-13..x", "not a date"),
        ("ete OR Date:2014..", "goes with AND"),
        ("***", "'*' only ends a word"),
    ] {
        w.phr(PHR_RECORD, &["search", query]).code(65).one_line_error("bad query");
        let run = w.phr(PHR_RECORD, &["search", query]);
        assert!(run.stderr.contains(says), "{query:?}: {run:#?}");
    }
}
