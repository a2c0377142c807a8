use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use serde_json::json;

use super::*;

fn doc_from(value: &Json) -> AutoCommit {
    let mut doc = AutoCommit::new();
    set_path(&mut doc, &[], value).unwrap();
    doc
}

#[test]
fn json_round_trips_through_automerge_including_chinese_text() {
    let value = json!({
        "name": "幸福里社区 3号楼",
        "households": {
            "h1": {
                "address": {"unit": 2, "floor": 5, "room": "502"},
                "members": [
                    {"name": "王秀英", "birth_year": 1941, "tags": {"独居老人": true}},
                    {"name": "李明", "phone": "13800000000", "relation": "儿子"}
                ],
                "notes": "每周三上门探访 🙂",
                "rating": 4.5,
                "big": 18446744073709551615u64,
                "negative": -7,
                "empty_map": {},
                "empty_list": [],
                "nothing": null,
                "nested": [[1, 2], ["a"]]
            }
        }
    });
    let doc = doc_from(&value);
    assert_eq!(to_json(&doc), value);

    // And after a save/load cycle.
    let mut doc = doc;
    let loaded = automerge::Automerge::load(&doc.save()).unwrap();
    assert_eq!(to_json(&loaded), value);
}

#[test]
fn set_path_creates_intermediate_maps() {
    let mut doc = AutoCommit::new();
    let path = parse_path("households/h1/phone").unwrap();
    set_path(&mut doc, &path, &json!("13912345678")).unwrap();
    assert_eq!(
        to_json(&doc),
        json!({"households": {"h1": {"phone": "13912345678"}}})
    );
    set_path(
        &mut doc,
        &parse_path("households/h2/name").unwrap(),
        &json!("张伟"),
    )
    .unwrap();
    assert_eq!(to_json(&doc)["households"]["h2"]["name"], json!("张伟"));
    assert_eq!(
        to_json(&doc)["households"]["h1"]["phone"],
        json!("13912345678")
    );
}

#[test]
fn strings_are_plain_scalars_and_numbers_keep_their_kind() {
    let mut doc = AutoCommit::new();
    set_path(&mut doc, &["s".into()], &json!("文本")).unwrap();
    set_path(&mut doc, &["i".into()], &json!(3)).unwrap();
    set_path(&mut doc, &["f".into()], &json!(3.25)).unwrap();
    let scalar = |k: &str| match doc.get(ROOT, k).unwrap().unwrap().0 {
        automerge::Value::Scalar(s) => s.into_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(scalar("s"), ScalarValue::Str("文本".into()));
    assert_eq!(scalar("i"), ScalarValue::Int(3));
    assert_eq!(scalar("f"), ScalarValue::F64(3.25));
}

#[test]
fn assigning_an_object_over_a_map_updates_it_in_place() {
    let mut doc = doc_from(&json!({"h1": {"phone": "1", "name": "王", "old": true}}));
    let (_, before_id) = doc.get(ROOT, "h1").unwrap().unwrap();
    set_path(
        &mut doc,
        &["h1".into()],
        &json!({"phone": "2", "name": "王"}),
    )
    .unwrap();
    let (_, after_id) = doc.get(ROOT, "h1").unwrap().unwrap();
    assert_eq!(before_id, after_id, "the map object must be kept");
    assert_eq!(to_json(&doc), json!({"h1": {"phone": "2", "name": "王"}}));
}

#[test]
fn concurrent_edits_to_other_fields_of_a_reassigned_map_both_survive() {
    let mut a = doc_from(&json!({"h1": {"phone": "1", "name": "王"}}));
    let mut b = a.fork();
    set_path(&mut a, &["h1".into()], &json!({"phone": "2", "name": "王"})).unwrap();
    set_path(&mut b, &parse_path("h1/name").unwrap(), &json!("王秀英")).unwrap();
    a.merge(&mut b).unwrap();
    assert_eq!(to_json(&a), json!({"h1": {"phone": "2", "name": "王秀英"}}));
}

#[test]
fn setting_the_same_value_again_makes_no_operation() {
    let mut doc = doc_from(&json!({"a": {"b": "x"}}));
    doc.commit();
    set_path(&mut doc, &parse_path("a/b").unwrap(), &json!("x")).unwrap();
    assert_eq!(doc.pending_ops(), 0);
}

#[test]
fn a_path_through_a_scalar_is_refused_and_names_the_segment() {
    let mut doc = doc_from(&json!({"a": "plain"}));
    let err = set_path(&mut doc, &parse_path("a/b").unwrap(), &json!(1)).unwrap_err();
    assert!(
        matches!(&err, JsonError::NotAMap { at, .. } if at == "a"),
        "{err:?}"
    );
}

#[test]
fn paths_are_parsed_and_bad_ones_refused() {
    assert_eq!(parse_path("a/b/c").unwrap(), vec!["a", "b", "c"]);
    assert_eq!(parse_path("/a/b/").unwrap(), vec!["a", "b"]);
    assert!(parse_path("").unwrap().is_empty());
    assert!(parse_path("/").unwrap().is_empty());
    assert!(matches!(parse_path("a//b"), Err(JsonError::BadPath { .. })));
    let mut doc = AutoCommit::new();
    assert!(matches!(
        set_path(&mut doc, &[], &json!(1)),
        Err(JsonError::BadPath { .. })
    ));
}

#[test]
fn text_objects_counters_and_bytes_are_shown() {
    let mut doc = AutoCommit::new();
    let text = doc.put_object(ROOT, "text", ObjType::Text).unwrap();
    doc.splice_text(&text, 0, 0, "你好").unwrap();
    doc.put(ROOT, "count", ScalarValue::counter(3)).unwrap();
    doc.put(ROOT, "bytes", ScalarValue::Bytes(vec![1, 2]))
        .unwrap();
    doc.put(ROOT, "nan", f64::NAN).unwrap();
    assert_eq!(
        to_json(&doc),
        json!({"text": "你好", "count": 3, "bytes": [1, 2], "nan": null})
    );
}
