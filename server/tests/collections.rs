//! Collections, on SQLite and PostgreSQL: create, rename, describe, add, reorder,
//! remove and delete through the server functions; only the owner sees or changes a
//! collection; only the owner's own badges go in; limits on name and description;
//! names are escaped on the page.

#![allow(clippy::unwrap_used)]

mod common;

use serde_json::Value;

use app::server::entities::award;
use common::TestApp;
use common::setup::{badge, give, institution, learner};

/// How a server function names an award of ours.
fn item(a: &award::Model) -> String {
    format!("a:{}", a.public_id)
}

async fn call_ok(app: &TestApp, name: &str, fields: &[(&str, &str)], s: &str) -> Value {
    let r = app.call(name, fields, Some(s)).await;
    assert_eq!(r.status, 200, "{name} {fields:?}: {}", r.body);
    serde_json::from_str(&r.body).unwrap_or(Value::Null)
}

async fn mine(app: &TestApp, s: &str) -> Value {
    call_ok(app, "my_collections", &[], s).await
}

fn names_in(page: &Value, i: usize) -> Vec<String> {
    page["collections"][i]["badges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_string())
        .collect()
}

fn collection_names(page: &Value) -> Vec<String> {
    page["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

/// The page without its `<script>` blocks.
fn without_scripts(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</script>") {
            Some(end) => rest = &rest[start + end + "</script>".len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

on_both_backends! {
    async fn a_learner_builds_orders_and_edits_collections(app) {
        let inst = institution(&app, "north", "North University").await;
        let (ada, s) = learner(&app, "ada@example.org", "Ada").await;
        let mut refs = Vec::new();
        for name in ["Alpha", "Beta", "Gamma"] {
            let b = badge(&app, &inst, name, 0, &[]).await;
            refs.push(item(&give(&app, b, &ada).await));
        }
        let data = call_ok(&app, "create_collection", &[("name", "Data skills"), ("description", "What I do with data.")], &s).await;
        let data = data.as_str().unwrap().to_string();
        let jobs = call_ok(&app, "create_collection", &[("name", "For employers")], &s).await;
        let jobs = jobs.as_str().unwrap().to_string();
        let page = mine(&app, &s).await;
        assert_eq!(collection_names(&page), ["Data skills", "For employers"]);
        assert_eq!(page["badges"].as_array().unwrap().len(), 3, "every badge can go in");

        for r in &refs {
            call_ok(&app, "add_to_collection", &[("collection", &data), ("badge", r)], &s).await;
        }
        assert_eq!(names_in(&mine(&app, &s).await, 0), ["Alpha", "Beta", "Gamma"]);
        // Once only.
        let r = app.call("add_to_collection", &[("collection", &data), ("badge", &refs[0])], Some(&s)).await;
        assert_eq!(r.status, 422, "{}", r.body);

        call_ok(&app, "move_collection_item", &[("collection", &data), ("badge", &refs[2]), ("direction", "up")], &s).await;
        assert_eq!(names_in(&mine(&app, &s).await, 0), ["Alpha", "Gamma", "Beta"]);
        call_ok(&app, "move_collection_item", &[("collection", &data), ("badge", &refs[0]), ("direction", "up")], &s).await;
        assert_eq!(names_in(&mine(&app, &s).await, 0), ["Alpha", "Gamma", "Beta"], "the first stays first");
        call_ok(&app, "move_collection_item", &[("collection", &data), ("badge", &refs[0]), ("direction", "down")], &s).await;
        assert_eq!(names_in(&mine(&app, &s).await, 0), ["Gamma", "Alpha", "Beta"]);
        call_ok(&app, "remove_from_collection", &[("collection", &data), ("badge", &refs[1])], &s).await;
        assert_eq!(names_in(&mine(&app, &s).await, 0), ["Gamma", "Alpha"]);

        call_ok(&app, "move_collection", &[("collection", &jobs), ("direction", "up")], &s).await;
        assert_eq!(collection_names(&mine(&app, &s).await), ["For employers", "Data skills"]);

        call_ok(&app, "edit_collection", &[("collection", &data), ("name", "Data"), ("description", "New words.")], &s).await;
        let page = mine(&app, &s).await;
        assert_eq!(page["collections"][1]["name"], "Data");
        assert_eq!(page["collections"][1]["description"], "New words.");

        // Limits.
        for (name, description) in [("", ""), (&*"x".repeat(81), ""), ("Ok", &*"x".repeat(501)), ("Two\nlines", "")] {
            let r = app.call("create_collection", &[("name", name), ("description", description)], Some(&s)).await;
            assert_eq!(r.status, 422, "{name:?}: {}", r.body);
        }
        let r = app.call("move_collection", &[("collection", &data), ("direction", "sideways")], Some(&s)).await;
        assert_eq!(r.status, 422);

        call_ok(&app, "delete_collection", &[("collection", &jobs)], &s).await;
        assert_eq!(collection_names(&mine(&app, &s).await), ["Data"]);
        // The page lists it.
        let page = app.get("/portfolio/collections", Some(&s)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Data") && page.body.contains("Gamma"), "{}", page.body);
    }

    async fn only_the_owner_sees_or_changes_a_collection_and_only_with_own_badges(app) {
        let inst = institution(&app, "north", "North University").await;
        let (ada, ada_s) = learner(&app, "ada@example.org", "Ada").await;
        let (bob, bob_s) = learner(&app, "bob@example.org", "Bob").await;
        let b = badge(&app, &inst, "Alpha", 0, &[]).await;
        let ada_badge = item(&give(&app, b, &ada).await);
        let bob_badge = item(&give(&app, b, &bob).await);
        let ada_c = call_ok(&app, "create_collection", &[("name", "Ada's secret picks")], &ada_s).await;
        let ada_c = ada_c.as_str().unwrap().to_string();
        call_ok(&app, "add_to_collection", &[("collection", &ada_c), ("badge", &ada_badge)], &ada_s).await;

        // Bob sees none of it.
        let page = mine(&app, &bob_s).await;
        assert!(page["collections"].as_array().unwrap().is_empty());
        assert!(!page.to_string().contains("secret picks"));
        for (f, fields) in [
            ("edit_collection", vec![("collection", ada_c.as_str()), ("name", "Mine now")]),
            ("delete_collection", vec![("collection", ada_c.as_str())]),
            ("move_collection", vec![("collection", ada_c.as_str()), ("direction", "up")]),
            ("add_to_collection", vec![("collection", ada_c.as_str()), ("badge", bob_badge.as_str())]),
            ("remove_from_collection", vec![("collection", ada_c.as_str()), ("badge", ada_badge.as_str())]),
            ("move_collection_item", vec![("collection", ada_c.as_str()), ("badge", ada_badge.as_str()), ("direction", "up")]),
        ] {
            let r = app.call(f, &fields, Some(&bob_s)).await;
            assert_eq!(r.status, 404, "{f}: {}", r.body);
            let r = app.call(f, &fields, None).await;
            assert_eq!(r.status, 401, "{f} anonymous: {}", r.body);
        }
        assert_eq!(app.call("my_collections", &[], None).await.status, 401);
        let page = mine(&app, &ada_s).await;
        assert_eq!(collection_names(&page), ["Ada's secret picks"]);
        assert_eq!(names_in(&page, 0), ["Alpha"]);

        // Ada cannot put Bob's badge (or a made-up one) in her collection.
        for r in [bob_badge.as_str(), "a:00000000-0000-0000-0000-000000000000", "i:00000000-0000-0000-0000-000000000000", "x:1", "a:1"] {
            let res = app.call("add_to_collection", &[("collection", &ada_c), ("badge", r)], Some(&ada_s)).await;
            assert_eq!(res.status, 404, "{r}: {}", res.body);
        }
        assert_eq!(names_in(&mine(&app, &ada_s).await, 0), ["Alpha"]);
    }

    async fn collection_text_is_escaped_on_the_page(app) {
        let (_, s) = learner(&app, "ada@example.org", "Ada").await;
        call_ok(&app, "create_collection", &[("name", "<script>alert(1)</script>"), ("description", "<img src=x onerror=alert(2)>")], &s).await;
        let page = app.get("/portfolio/collections", Some(&s)).await;
        assert_eq!(page.status, 200);
        // The hydration data (JSON strings inside `<script>`, where `<img` is inert and
        // `</script` is escaped) aside, the markup holds only escaped text.
        let markup = without_scripts(&page.body);
        assert!(!page.body.contains("<script>alert(1)"), "raw name");
        assert!(!markup.contains("<img src=x onerror"), "raw description");
        assert!(page.body.contains("&lt;script&gt;alert(1)"), "shown escaped");
    }
}
