//! The browser entry point: hydrates the page the server rendered.

/// Called by the hydration script once the WASM module has loaded.
///
/// Hydration is asynchronous (what `leptos::mount::hydrate_lazy` does): a page shown by a
/// lazy route (see `app::routes`) first loads its WASM chunks, then hydrates.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console for debug builds only: the hook pulls the panic
    // formatting machinery into the first-load bundle (release builds abort on panic).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let mounted =
            leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), app::App).await;
        mounted.forget();
        // Marks the page as interactive: browser tests wait for it, CSS could use it.
        if let Some(root) = leptos::prelude::document().document_element() {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });
}
