// The SQL editor of the query page: CodeMirror 6 with SQLite's dialect,
// highlighting, and completion of the database's table and column names.
// Bundled by tools/build-dist.mjs (esbuild) and loaded only when the query
// page first shows. The <textarea> stays the source of truth for the app:
// every edit is copied into it as an `input` event, and Ctrl/Cmd+Enter
// submits its form.
import { EditorView, basicSetup } from 'codemirror';
import { keymap } from '@codemirror/view';
import { Prec } from '@codemirror/state';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { sql, SQLite, SQLDialect } from '@codemirror/lang-sql';

// Colours from the page's style sheet (--syntax-*, --bg, --ink…), so the
// editor follows light and dark mode, at WCAG contrast in both.
const colours = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--syntax-keyword)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--syntax-string)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--syntax-number)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--syntax-comment)', fontStyle: 'italic' },
  { tag: [tags.typeName, tags.standard(tags.name)], color: 'var(--syntax-type)' },
  { tag: [tags.operator, tags.punctuation, tags.bracket], color: 'var(--ink)' },
]);
const surface = EditorView.theme({
  '&': { color: 'var(--ink)', backgroundColor: 'var(--bg)' },
  '.cm-content': { caretColor: 'var(--ink)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--ink)' },
  '.cm-gutters': { backgroundColor: 'var(--panel)', color: 'var(--muted)', borderRightColor: 'var(--line)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'var(--hover)' },
});

// SQLite's names are case-insensitive, so completion need not quote
// `Track`; when a name must be quoted, use SQL's double quotes.
const dialect = SQLDialect.define({ ...SQLite.spec, identifierQuotes: '"', caseInsensitiveIdentifiers: true });

/** Unqualified column names of the tables the query mentions (lang-sql
 *  itself completes them only after `table.`). */
function columnsOfMentionedTables(schema) {
  return (context) => {
    const word = context.matchBefore(/\w+/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const text = context.state.doc.toString().toLowerCase();
    const options = [];
    for (const [table, columns] of Object.entries(schema)) {
      if (!new RegExp(`\\b${table.toLowerCase().replace(/[^\w]/g, '.')}\\b`).test(text)) continue;
      for (const column of columns) options.push({ label: column, type: 'property', detail: table });
    }
    return options.length ? { from: word.from, options, validFor: /^\w*$/ } : null;
  };
}

export function mountEditor(textarea, schema) {
  const language = sql({ dialect, schema });
  const view = new EditorView({
    doc: textarea.value,
    extensions: [
      basicSetup,
      syntaxHighlighting(colours),
      surface,
      language,
      language.language.data.of({ autocomplete: columnsOfMentionedTables(schema) }),
      EditorView.lineWrapping,
      Prec.highest(keymap.of([{
        key: 'Mod-Enter',
        run: () => { textarea.form?.requestSubmit(); return true; },
      }])),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        textarea.value = update.state.doc.toString();
        textarea.dispatchEvent(new Event('input', { bubbles: true }));
      }),
      EditorView.contentAttributes.of({ 'aria-label': 'SQL' }),
    ],
  });
  textarea.hidden = true;
  textarea.after(view.dom);
  return {
    set(text) {
      if (text !== view.state.doc.toString()) {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      }
    },
    destroy() {
      view.destroy();
      textarea.hidden = false;
    },
  };
}
