//! The explorer's UI: a Yew app that renders state and sends requests to
//! the worker. It never touches SQLite itself.

mod app;
mod browser;
mod components;
mod datasette_json;
mod diff_export;
mod format;
mod hooks;
mod loading;
mod pages;
mod recovery;
mod route;
mod state;
mod worker_client;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
