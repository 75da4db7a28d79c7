//! `/account/data`: download everything (with progress for a large portfolio) and
//! delete the account.
//!
//! The download is a plain link to the export (it works without JavaScript: the browser
//! shows its own progress). Once the page is interactive, the link downloads through
//! `fetch`, reading the body as it arrives to show "Preparing…" while the server builds
//! the zip and then a determinate progress bar from its `Content-Length`.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::account_data::{DeleteAccount, export_contents};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::components::signed_in::SignedIn;
use crate::model::account_data::{EXPORT_URL, ExportSummary};

/// Where a download stands (only the browser moves it past `Idle`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Download {
    Idle,
    /// The server is building the zip.
    Preparing,
    /// Bytes received, and the total when known.
    Receiving(f64, Option<f64>),
    Done,
    Failed(String),
}

fn size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    } else if b >= 1024.0 {
        format!("{:.0} KB", b / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

fn contents(s: &ExportSummary) -> String {
    format!(
        "{} badges issued here, {} imported badges, {} endorsements, {} evidence files ({}), {} collections, {} share links.",
        s.awards,
        s.imports,
        s.endorsements,
        s.evidence_files,
        size(s.evidence_bytes),
        s.collections,
        s.share_links
    )
}

/// The page.
#[component]
pub fn AccountDataPage() -> impl IntoView {
    let summary = Resource::new(|| (), |()| export_contents());
    let (state, set_state) = signal(Download::Idle);
    let delete = ServerAction::<DeleteAccount>::new();
    let start = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            if matches!(
                state.get_untracked(),
                Download::Preparing | Download::Receiving(..)
            ) {
                return;
            }
            set_state.set(Download::Preparing);
            leptos::task::spawn_local(async move {
                match browser::download(EXPORT_URL, set_state).await {
                    Ok(()) => set_state.set(Download::Done),
                    Err(e) => set_state.set(Download::Failed(e)),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (ev, set_state);
        }
    };
    view! {
        <Title text="Your data · Badgefolio" />
        <SignedIn children=move |_user| {
            view! {
                <section class="card narrow">
                    <h1>"Your data"</h1>
                    <h2 id="download">"Download everything"</h2>
                    <p>
                        "One zip file with every badge you hold: each credential exactly as it was signed and as a baked image, "
                        "imported badges exactly as you imported them, approved endorsements, the evidence files you uploaded, "
                        "your collections and share links, and an index you can open in a browser."
                    </p>
                    <Suspense fallback=|| view! { <p>"Counting your badges…"</p> }>
                        {move || {
                            summary
                                .get()
                                .map(|r| match r {
                                    Ok(s) => view! { <p data-testid="export-contents">{contents(&s)}</p> }.into_any(),
                                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                                })
                        }}
                    </Suspense>
                    <p>
                        <a class="button" href=EXPORT_URL download="" data-testid="download-everything" on:click=start>
                            "Download everything"
                        </a>
                    </p>
                    <div aria-live="polite" data-testid="download-progress">
                        {move || match state.get() {
                            Download::Idle => None,
                            Download::Preparing => Some(view! {
                                <p>"Preparing your file…"</p>
                                <progress aria-label="Preparing your file"></progress>
                            }.into_any()),
                            Download::Receiving(got, total) => Some(match total {
                                Some(t) if t > 0.0 => {
                                    let pct = (got / t * 100.0).clamp(0.0, 100.0);
                                    view! {
                                        <p>{format!("Downloading… {pct:.0}%")}</p>
                                        <progress max="100" value=format!("{pct:.0}") aria-label="Download progress"></progress>
                                    }.into_any()
                                }
                                _ => view! {
                                    <p>{format!("Downloading… {}", size(got as u64))}</p>
                                    <progress aria-label="Download progress"></progress>
                                }.into_any(),
                            }),
                            Download::Done => Some(view! { <p class="form-success">"Your file is downloaded."</p> }.into_any()),
                            Download::Failed(m) => Some(view! { <p class="form-error" role="alert">{m}</p> }.into_any()),
                        }}
                    </div>

                    <h2 id="delete">"Delete your account"</h2>
                    <p>
                        "Deleting your account removes your portfolio, imported badges, evidence, collections, share links "
                        "(they stop working at once), endorsement requests and public profile, and signs you out everywhere. "
                        "It cannot be undone: download your data first."
                    </p>
                    <p>
                        "Badges issued to you stay valid: anyone holding a copy can still verify it, "
                        "but nothing of yours is shown here any more."
                    </p>
                    <ActionForm action=delete attr:class="stack-form" attr:novalidate="">
                        <label for="delete-password">"Your password, to confirm it is you"</label>
                        <input id="delete-password" name="password" type="password" autocomplete="current-password" required />
                        <label class="check">
                            <input type="checkbox" name="confirm" value="yes" required data-testid="delete-confirm" />
                            " I understand that my account and portfolio are deleted for good."
                        </label>
                        <FormError error=last_error(delete.value()) />
                        <SubmitButton label="Delete my account" busy_label="Deleting…" pending=delete.pending() />
                    </ActionForm>
                </section>
            }
        } />
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    //! The download through `fetch`, with progress.

    use leptos::prelude::{Set as _, WriteSignal};
    use leptos::wasm_bindgen::{JsCast as _, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::Download;

    fn text(e: &JsValue) -> String {
        e.as_string()
            .unwrap_or_else(|| "The download failed. Please try again.".to_string())
    }

    /// Fetches `url` (same origin, with the session cookie), reporting progress, then
    /// hands the bytes to the browser as a download.
    pub async fn download(url: &str, progress: WriteSignal<Download>) -> Result<(), String> {
        let window = web_sys::window().ok_or("No window.")?;
        let init = web_sys::RequestInit::new();
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        let resp: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await
            .map_err(|e| text(&e))?
            .unchecked_into();
        match resp.status() {
            200 => {}
            401 => return Err("Please sign in again to download your data.".into()),
            503 => {
                return Err(
                    "Many downloads are being prepared right now: please try again in a minute."
                        .into(),
                );
            }
            s => return Err(format!("The download failed ({s}). Please try again.")),
        }
        let total = resp
            .headers()
            .get("content-length")
            .ok()
            .flatten()
            .and_then(|v| v.parse::<f64>().ok());
        let name = resp
            .headers()
            .get("content-disposition")
            .ok()
            .flatten()
            .and_then(|v| {
                v.split("filename=\"")
                    .nth(1)
                    .map(|r| r.trim_end_matches('"').to_string())
            })
            .unwrap_or_else(|| "badgefolio-export.zip".to_string());
        let body = resp.body().ok_or("The download was empty.")?;
        let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
        let chunks = js_sys::Array::new();
        let mut got = 0.0;
        progress.set(Download::Receiving(0.0, total));
        loop {
            let step = JsFuture::from(reader.read()).await.map_err(|e| text(&e))?;
            let done = js_sys::Reflect::get(&step, &JsValue::from_str("done"))
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(true);
            if done {
                break;
            }
            let value =
                js_sys::Reflect::get(&step, &JsValue::from_str("value")).map_err(|e| text(&e))?;
            let chunk: js_sys::Uint8Array = value.unchecked_into();
            got += f64::from(chunk.length());
            chunks.push(&chunk);
            progress.set(Download::Receiving(got, total));
        }
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/zip");
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&chunks, &options)
            .map_err(|e| text(&e))?;
        let href = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| text(&e))?;
        let document = window.document().ok_or("No document.")?;
        let a: web_sys::HtmlAnchorElement = document
            .create_element("a")
            .map_err(|e| text(&e))?
            .unchecked_into();
        a.set_href(&href);
        a.set_download(&name);
        if let Some(b) = document.body() {
            let _ = b.append_child(&a);
            a.click();
            let _ = b.remove_child(&a);
        }
        let _ = web_sys::Url::revoke_object_url(&href);
        Ok(())
    }
}
