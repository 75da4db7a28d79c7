//! `/portfolio/import`: add a badge earned elsewhere (a baked PNG or SVG, a JSON file,
//! pasted JSON or a JWT, or its web address). It is verified first; the answer says why
//! when it cannot be imported.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::import::import_badge;
use crate::components::form::{FormError, SubmitButton};
use crate::components::signed_in::SignedIn;
use crate::components::upload_form::{UploadAction, UploadForm};
use crate::model::portfolio::badge_path;

/// The import page.
#[component]
pub fn ImportPage() -> impl IntoView {
    let import: UploadAction = Action::new_local(|data: &leptos::web_sys::FormData| {
        let data = data.clone();
        async move { import_badge(data.into()).await }
    });
    let error = Signal::derive(move || {
        import
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    });
    view! {
        <Title text="Import a badge · Badgefolio" />
        <SignedIn children=move |_user| {
            view! {
                <section class="card narrow">
                    <p><A href="/portfolio">"← Your portfolio"</A></p>
                    <h1>"Import a badge"</h1>
                    <p>
                        "Add a badge you earned elsewhere. We verify it first: it must be authentic, not revoked, "
                        "and issued to one of your confirmed email addresses. "
                        <A href="/settings#addresses">"Add another address"</A>
                        " if it was sent to one we do not know yet."
                    </p>
                    <UploadForm endpoint="import_badge" action=import>
                        <label for="import-file">"A badge file: baked PNG or SVG image, JSON, or JWT"</label>
                        <input id="import-file" name="file" type="file"
                            accept=".png,.svg,.json,.jwt,.jws,.txt,image/png,image/svg+xml,application/json"
                            aria-describedby="import-file-hint" />
                        <p id="import-file-hint" class="hint">"At most 8 MiB."</p>
                        <label for="import-text">"Or paste the badge (JSON or a JWT)"</label>
                        <textarea id="import-text" name="text" rows="6" spellcheck="false"></textarea>
                        <label for="import-url">"Or give its web address"</label>
                        <input id="import-url" name="url" type="url" inputmode="url" placeholder="https://" />
                        <FormError error=error />
                        <SubmitButton label="Verify and import" busy_label="Verifying…" pending=import.pending() />
                    </UploadForm>
                    <p aria-live="polite" class="form-success" data-testid="import-done">
                        {move || {
                            import
                                .value()
                                .get()
                                .and_then(Result::ok)
                                .map(|id| {
                                    view! {
                                        "Imported and verified. "
                                        <A href=badge_path(&id)>"Open the badge"</A>
                                        " or go back to "
                                        <A href="/portfolio">"your wall"</A>
                                        "."
                                    }
                                })
                        }}
                    </p>
                </section>
            }
        } />
    }
}
