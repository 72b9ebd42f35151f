//! `use_sql_editor`: the CodeMirror 6 editor over a page's SQL textarea,
//! with the database's tables and columns for completion; the textarea
//! alone if the editor cannot load. The textarea stays the source of truth
//! (the editor mirrors its text into it).

use std::cell::RefCell;
use std::rc::Rc;

use protocol::DatabaseSchema;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::browser;

/// Mounts the editor on the textarea with id `textarea_id` while `db` is
/// shown, and puts each new `sql` into it.
#[hook]
pub fn use_sql_editor(textarea_id: &'static str, db: String, sql: String, schema: Option<DatabaseSchema>) {
    let editor = use_mut_ref(|| None::<JsValue>);
    {
        let editor = editor.clone();
        let schema = schema.as_ref().map(completion_schema).unwrap_or_else(|| js_sys::Object::new().into());
        use_effect_with(db, move |_| {
            mount_editor(textarea_id, editor.clone(), schema);
            move || {
                if let Some(handle) = editor.borrow_mut().take() {
                    call_method(&handle, "destroy", &JsValue::UNDEFINED);
                }
            }
        });
    }
    use_effect_with(sql, move |sql| {
        if let Some(handle) = editor.borrow().as_ref() {
            call_method(handle, "set", &JsValue::from_str(sql));
        }
    });
}

/// `{table: [columns…]}` for the editor's completion.
fn completion_schema(schema: &DatabaseSchema) -> JsValue {
    let object = js_sys::Object::new();
    for table in &schema.tables {
        let columns: js_sys::Array = table.columns.iter().map(|c| JsValue::from_str(&c.name)).collect();
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(&table.name), &columns);
    }
    for view in &schema.views {
        let columns: js_sys::Array = view.columns.iter().map(|c| JsValue::from_str(c)).collect();
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(&view.name), &columns);
    }
    object.into()
}

/// Calls the page's `explorerMountEditor` (see index.html), which loads
/// the editor bundle, and keeps the handle it resolves to.
fn mount_editor(textarea_id: &str, slot: Rc<RefCell<Option<JsValue>>>, schema: JsValue) {
    let Some(document) = browser::window().document() else { return };
    let Some(textarea) = document.get_element_by_id(textarea_id) else { return };
    let Ok(mount) = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("explorerMountEditor")) else { return };
    let Some(mount) = mount.dyn_ref::<js_sys::Function>() else { return };
    let Ok(promise) = mount.call2(&JsValue::NULL, &textarea, &schema) else { return };
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(handle) = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await {
            *slot.borrow_mut() = Some(handle);
        }
    });
}

fn call_method(target: &JsValue, name: &str, argument: &JsValue) {
    if let Ok(method) = js_sys::Reflect::get(target, &JsValue::from_str(name)) {
        if let Some(method) = method.dyn_ref::<js_sys::Function>() {
            let _ = method.call1(target, argument);
        }
    }
}
