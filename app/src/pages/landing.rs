//! The public landing page. Plain server-rendered HTML: it works without JavaScript.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;

/// What Badgefolio is, and where to start.
#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <Title text="Badgefolio: verifiable micro-credentials you own" />
        <Meta
            name="description"
            content="Earn micro-credentials, keep them in a portfolio you own, and share badges that anyone can verify."
        />
        <section class="hero">
            <h1>"Micro-credentials you own, badges anyone can verify"</h1>
            <p class="lead">
                "Enroll in short programs, show your evidence, and earn Open Badges 3.0 credentials. "
                "Keep them in your portfolio and share them on LinkedIn, in your ePortfolio or your email signature."
            </p>
            <p class="hero-actions">
                <A href="/signup" attr:class="button">"Create your free portfolio"</A>
                <A href="/signin" attr:class="button button-secondary">"Sign in"</A>
                // The verify page is outside the Leptos app: a full page load.
                <a href="/verify" rel="external" class="button button-secondary">"Verify a badge"</a>
            </p>
        </section>
        <section class="features" aria-labelledby="features-heading">
            <h2 id="features-heading">"How it works"</h2>
            <ul class="feature-grid">
                <li class="card">
                    <h3>"Small programs, real credit"</h3>
                    <p>"Programs of at most 11 credits, credit-bearing or not, built from stackable badges."</p>
                </li>
                <li class="card">
                    <h3>"Evidence inside the badge"</h3>
                    <p>"Every badge carries its issuer, date, criteria and the evidence you submitted."</p>
                </li>
                <li class="card">
                    <h3>"Verifiable anywhere"</h3>
                    <p>"Badges are signed Open Badges 3.0 credentials: anyone can check them without trusting us."</p>
                </li>
                <li class="card">
                    <h3>"Yours to share"</h3>
                    <p>"Public links, LinkedIn, embeddable cards, email signatures, QR codes and baked images."</p>
                </li>
            </ul>
        </section>
    }
}
