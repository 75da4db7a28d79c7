//! Pieces every form uses: the error line and the submit button with progress.

use leptos::prelude::*;

use crate::error::AppError;

/// Shows the error of the last submission, announced to screen readers.
#[component]
pub fn FormError(
    /// The message to show, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="form-error" role="alert" aria-live="assertive">
            {move || error.get().map(|m| view! { <p data-testid="form-error">{m}</p> })}
        </div>
    }
}

/// The message of an action's last error.
pub fn last_error<T>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> Signal<Option<String>>
where
    T: 'static,
{
    Signal::derive(move || value.get().and_then(Result::err).map(|e| e.to_string()))
}

/// A submit button that says what is happening while the request is in flight.
#[component]
pub fn SubmitButton(
    /// Label while idle.
    label: &'static str,
    /// Label while the request runs.
    busy_label: &'static str,
    /// Whether the request runs.
    pending: Memo<bool>,
) -> impl IntoView {
    view! {
        <button type="submit" class="button" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
            {move || if pending.get() { busy_label } else { label }}
        </button>
    }
}

/// The content of a `<textarea>`, safe to render on the server.
///
/// Leptos writes a `<textarea>`'s children into server-rendered HTML without escaping
/// them (tachys treats it like `<script>`), so a value holding `</textarea>` would end
/// the element and the rest would be read as markup. On the server the text is escaped
/// here (the browser turns the entities back into the same text); in the browser it is
/// left as it is, since it is set as a text node and hydration sees the same string.
pub fn textarea_text(text: impl Into<String>) -> String {
    let text = text.into();
    #[cfg(feature = "ssr")]
    {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }
    #[cfg(not(feature = "ssr"))]
    {
        text
    }
}

#[cfg(all(test, feature = "ssr"))]
mod textarea_tests {
    use super::textarea_text;

    #[test]
    fn textarea_content_cannot_close_the_element() {
        let t = textarea_text("a </textarea><img src=x onerror=alert(1)> & b");
        assert!(!t.contains('<') && !t.contains('>'));
        assert_eq!(
            t,
            "a &lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt; &amp; b"
        );
    }
}
