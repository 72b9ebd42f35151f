//! Export buttons: the worker writes CSV/JSON in pieces; they are gathered
//! as Blob parts (never one big string) and saved.

use protocol::{ExportFormat, ExportRequest, ExportSource};
use yew::prelude::*;

use crate::browser;
use crate::worker_client::{ExportEvent, WorkerClient};

#[derive(Properties, PartialEq)]
pub struct ExportProps {
    pub source: ExportSource,
    /// The downloaded file's name without extension.
    pub name: String,
    /// Offer "this page" as well as "all rows".
    #[prop_or(true)]
    pub paged: bool,
    /// `export-top` for the copy above the rows.
    #[prop_or_default]
    pub class: Classes,
}

#[function_component(ExportLinks)]
pub fn export_links(props: &ExportProps) -> Html {
    let client = use_context::<WorkerClient>().expect("worker context");
    let status = use_state(String::new);
    let button = |format: ExportFormat, all: bool, label: &str| {
        let client = client.clone();
        let status = status.clone();
        let source = props.source.clone();
        let name = props.name.clone();
        let onclick = Callback::from(move |_| {
            let (extension, mime) = match format {
                ExportFormat::Csv => ("csv", "text/csv"),
                ExportFormat::Json => ("json", "application/json"),
                ExportFormat::NdJson => ("ndjson", "application/x-ndjson"),
            };
            let parts = js_sys::Array::new();
            let file = format!("{name}.{extension}");
            status.set("Exporting…".into());
            let status = status.clone();
            let request = ExportRequest { source: source.clone(), format, all };
            client.export(
                request,
                Callback::from(move |event: ExportEvent| match event {
                    ExportEvent::Piece(piece) => {
                        parts.push(&js_sys::Uint8Array::from(piece.as_slice()));
                    }
                    ExportEvent::Done { rows } => {
                        browser::download(&parts, &file, mime);
                        status.set(format!("Exported {}.", crate::format::rows(rows)));
                    }
                    ExportEvent::Failed(e) => status.set(format!("Export failed: {}", e.message)),
                }),
            );
        });
        html! { <button class="link" {onclick}>{ label.to_string() }</button> }
    };
    html! {
        <p class={classes!("export", props.class.clone())}>
            { "Export " }
            if props.paged {
                { "this page: " }
                { button(ExportFormat::Csv, false, "CSV") }{ " " }
                { button(ExportFormat::Json, false, "JSON") }{ " " }
                { button(ExportFormat::NdJson, false, "NDJSON") }
                { " · all rows: " }
            }
            { button(ExportFormat::Csv, true, "CSV") }{ " " }
            { button(ExportFormat::Json, true, "JSON") }{ " " }
            { button(ExportFormat::NdJson, true, "NDJSON") }
            <span class="muted export-status">{ " " }{ (*status).clone() }</span>
        </p>
    }
}
