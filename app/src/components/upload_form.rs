//! A form sent as `multipart/form-data` (it carries a file). With JavaScript the page
//! stays put and shows the result; without it the browser posts the form itself.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{FormData, HtmlFormElement, SubmitEvent};

use crate::error::AppError;

/// An action that sends a form with a file.
pub type UploadAction = Action<FormData, Result<String, AppError>>;

/// `<form enctype="multipart/form-data">` posting to `/api/{endpoint}`, dispatching
/// `action` when scripts run.
#[component]
pub fn UploadForm(
    /// The server function's endpoint name.
    endpoint: &'static str,
    action: UploadAction,
    children: Children,
) -> impl IntoView {
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        if let Ok(data) = FormData::new_with_form(&form) {
            action.dispatch_local(data);
        }
    };
    view! {
        <form
            class="stack-form"
            method="post"
            enctype="multipart/form-data"
            action=format!("/api/{endpoint}")
            on:submit=on_submit
            novalidate=""
        >
            {children()}
        </form>
    }
}
