//! The signed-in user and the account actions, shared through context by every page.

use leptos::prelude::*;

use crate::api::auth::{SignIn, SignOut, SignUp, get_current_user};
use crate::error::AppError;
use crate::model::SessionUser;

/// Account actions and the current user, refreshed whenever an action completes.
#[derive(Clone, Copy)]
pub struct Auth {
    pub sign_in: ServerAction<SignIn>,
    pub sign_up: ServerAction<SignUp>,
    pub sign_out: ServerAction<SignOut>,
    pub user: Resource<Result<Option<SessionUser>, AppError>>,
}

impl Auth {
    /// Creates the actions and the user resource.
    pub fn new() -> Self {
        let sign_in = ServerAction::<SignIn>::new();
        let sign_up = ServerAction::<SignUp>::new();
        let sign_out = ServerAction::<SignOut>::new();
        // Blocking: a page rendered on the server waits for the user before it sends its
        // first byte, so when that lookup fails (the database is down) the page can still
        // say so in its status (503 with `Retry-After`) instead of a 200.
        let user = Resource::new_blocking(
            move || {
                (
                    sign_in.version().get(),
                    sign_up.version().get(),
                    sign_out.version().get(),
                )
            },
            |_| get_current_user(),
        );
        Self {
            sign_in,
            sign_up,
            sign_out,
            user,
        }
    }
}

impl Default for Auth {
    fn default() -> Self {
        Self::new()
    }
}

/// The `Auth` provided by `App`.
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
