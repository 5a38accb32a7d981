/// The agent console's mustache templates (English; the console is for the account's staff).
enum ConsoleTemplates {
    static let all: [String: String] = [
        "console-layout": layout, "console-login": login, "console-list": list, "console-envelope": envelope,
        "console-templates": templates, "console-new": new,
    ]

    static let layout = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Countersign console</title>
        <link rel="stylesheet" href="/assets/pages.css">
        <script src="/assets/pages.js" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to main content</a>
        <header class="bar"><p class="org">{{organisation}} · Console</p>
        {{#signedIn}}<nav aria-label="Console"><a class="bar-link" href="/console">Envelopes</a> · <a class="bar-link" href="/console/new">New envelope</a></nav>
        <form method="post" action="/console/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Sign out</button></form>{{/signedIn}}
        </header>
        <main id="main" tabindex="-1">
        {{#error}}<div class="error" role="alert" id="error" tabindex="-1" autofocus><p><strong>Something needs your attention</strong></p><p>{{error}}</p></div>{{/error}}
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{{content}}}
        </main>
        </body>
        </html>
        """

    static let login = """
        <h1>Sign in</h1>
        <form method="post" action="/console/login" class="card">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <p><label for="key">API key</label><br>
        <input id="key" name="key" type="password" autocomplete="off" required size="50" aria-describedby="key-hint"></p>
        <p id="key-hint" class="hint">A key with role agent or admin. It is checked once; the console then uses a session cookie.</p>
        <p><button type="submit" class="primary">Sign in</button></p>
        </form>
        """

    static let list = """
        <h1>Envelopes</h1>
        <form method="get" action="/console" class="card filters" role="search" aria-label="Filter envelopes">
        <p><label for="state">Status</label><br><select id="state" name="state"><option value="">Any</option>
        {{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/states}}</select></p>
        <p><label for="template">Template</label><br><input id="template" name="template" value="{{template}}"></p>
        <p><label for="owner">Owner</label><br><input id="owner" name="owner" value="{{owner}}"></p>
        <p><label for="from">Created from</label><br><input id="from" name="from" type="date" value="{{from}}"></p>
        <p><label for="to">Created to</label><br><input id="to" name="to" type="date" value="{{to}}"></p>
        <p><label for="crm">CRM id (key=value)</label><br><input id="crm" name="crm" value="{{crm}}" placeholder="lead_id=LD-100000"></p>
        <p><button type="submit">Filter</button></p>
        </form>
        <p role="status">{{count}} envelope(s)</p>
        <table>
        <thead><tr><th scope="col">Subject</th><th scope="col">Status</th><th scope="col">Template</th><th scope="col">Owner</th><th scope="col">Created</th><th scope="col">CRM</th></tr></thead>
        <tbody>
        {{#envelopes}}<tr><td><a href="/console/envelopes/{{id}}">{{subject}}</a></td><td>{{state}}</td><td>{{template}}</td><td>{{owner}}</td><td>{{created}}</td><td>{{crm}}</td></tr>{{/envelopes}}
        </tbody>
        </table>
        """

    static let envelope = """
        <h1>{{subject}}</h1>
        <dl class="facts">
        <dt>Status</dt><dd id="envelope-state">{{state}}{{#reason}} ({{reason}}){{/reason}}</dd>
        <dt>Envelope</dt><dd>{{id}}</dd>
        <dt>Template</dt><dd>{{template}}</dd>
        {{#metadata}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/metadata}}
        </dl>
        <h2>Recipients</h2>
        <table>
        <thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Order</th><th scope="col">Status</th></tr></thead>
        <tbody>{{#recipients}}<tr><td>{{name}}</td><td>{{email}}</td><td>{{role}}</td><td>{{order}}</td><td>{{state}}{{#undelivered}}<br><strong>E-mail not delivered:</strong> {{.}}{{/undelivered}}{{#lockedOut}}<br><strong>Locked out</strong> after {{lockedOut}} wrong codes: resend the invitation below.{{/lockedOut}}</td></tr>{{/recipients}}</tbody>
        </table>
        <h2>Documents</h2>
        <ul class="downloads">{{#documents}}<li><a href="/console/envelopes/{{envelope}}/documents/{{id}}" download>{{name}}</a> ({{label}})</li>{{/documents}}</ul>
        {{#preview}}<h2>Preview</h2><div class="pages zoom-100">{{#pages}}<figure class="page"><img src="{{src}}" alt="{{alt}}"><figcaption>{{alt}}</figcaption></figure>{{/pages}}</div>{{/preview}}
        <h2>Actions</h2>
        {{#draft}}<form method="post" action="/console/envelopes/{{id}}/send" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
        <p><button type="submit" class="primary" id="send">Send</button></p></form>{{/draft}}
        {{#open}}
        <form method="post" action="/console/envelopes/{{id}}/remind" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
        <p><button type="submit" id="remind">Remind recipients</button></p></form>
        <form method="post" action="/console/envelopes/{{id}}/correct" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
        <p><label for="correct-recipient">Recipient</label><br><select id="correct-recipient" name="recipient">{{#recipients}}<option value="{{id}}">{{name}} ({{email}})</option>{{/recipients}}</select></p>
        <p><label for="correct-email">New e-mail address</label><br><input id="correct-email" name="email" type="email" required></p>
        <p><button type="submit">Correct e-mail</button></p></form>
        <form method="post" action="/console/envelopes/{{id}}/resend" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
        <p><label for="resend-recipient">Send the invitation again to</label><br><select id="resend-recipient" name="recipient">{{#recipients}}<option value="{{id}}">{{name}} ({{email}}){{#lockedOut}} — locked out{{/lockedOut}}</option>{{/recipients}}</select></p>
        <p class="hint">A new link replaces the old one and lifts a lock-out after too many wrong codes.</p>
        <p><button type="submit" id="resend">Resend invitation</button></p></form>
        {{/open}}
        {{#voidable}}<form method="post" action="/console/envelopes/{{id}}/void" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
        <p><label for="void-reason">Reason for voiding</label><br><input id="void-reason" name="reason" required size="40"></p>
        <p><button type="submit" class="danger" id="void">Void envelope</button></p></form>{{/voidable}}
        <h2>Timeline</h2>
        <table>
        <thead><tr><th scope="col">#</th><th scope="col">Time (UTC)</th><th scope="col">Event</th><th scope="col">Actor</th></tr></thead>
        <tbody>{{#events}}<tr><td>{{sequence}}</td><td>{{at}}</td><td>{{type}}</td><td>{{actor}}</td></tr>{{/events}}</tbody>
        </table>
        """

    static let templates = """
        <h1>New envelope</h1>
        <p>Choose a published template.</p>
        <ul>{{#templates}}<li><a href="/console/new/{{id}}/{{version}}">{{id}} version {{version}}</a></li>{{/templates}}</ul>
        """

    static let new = """
        <h1>New envelope: {{templateID}} version {{version}}</h1>
        <form method="post" action="/console/new/{{templateID}}/{{version}}">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <fieldset class="card"><legend>Envelope</legend>
        <p><label for="subject">Subject</label><br><input id="subject" name="subject" required size="50" value="{{subject}}"></p>
        <p><label for="message">Message to recipients</label><br><textarea id="message" name="message" rows="3" cols="50">{{message}}</textarea></p>
        <p><label for="crm-key">CRM id name</label><br><input id="crm-key" name="crm.key" value="{{crmKey}}"></p>
        <p><label for="crm-value">CRM id</label><br><input id="crm-value" name="crm.value" value="{{crmValue}}"></p>
        <p><label for="owner-field">Owner</label><br><input id="owner-field" name="owner" type="email" value="{{owner}}"></p>
        </fieldset>
        <fieldset class="card"><legend>Document data</legend>
        {{#fields}}<p>
        {{#isEnum}}<label for="d-{{name}}">{{label}}{{#required}} (required){{/required}}</label><br>
        <select id="d-{{name}}" name="data.{{name}}"{{#required}} required{{/required}}><option value="">Choose…</option>{{#options}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/options}}</select>{{/isEnum}}
        {{#isBoolean}}<input type="hidden" name="data.{{name}}" value="false"><input type="checkbox" id="d-{{name}}" name="data.{{name}}" value="true"{{#checked}} checked{{/checked}}> <label for="d-{{name}}">{{label}}</label>{{/isBoolean}}
        {{#isList}}<label for="d-{{name}}">{{label}} (one item per line){{#required}} (required){{/required}}</label><br>
        <textarea id="d-{{name}}" name="data.{{name}}" rows="3" cols="40"{{#required}} required{{/required}}>{{value}}</textarea>{{/isList}}
        {{#isObject}}<label for="d-{{name}}">{{label}} (JSON object){{#required}} (required){{/required}}</label><br>
        <textarea id="d-{{name}}" name="data.{{name}}" rows="3" cols="40"{{#required}} required{{/required}}>{{value}}</textarea>{{/isObject}}
        {{#isInput}}<label for="d-{{name}}">{{label}}{{#required}} (required){{/required}}</label><br>
        <input id="d-{{name}}" name="data.{{name}}" type="{{inputType}}" value="{{value}}"{{#step}} step="{{step}}"{{/step}}{{#required}} required{{/required}}>{{/isInput}}
        <span class="hint">{{type}}</span></p>{{/fields}}
        </fieldset>
        <fieldset class="card"><legend>Recipients and routing</legend>
        <table><thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Order</th><th scope="col">Signs as</th><th scope="col">Authentication</th></tr></thead>
        <tbody>{{#rows}}<tr>
        <td><label class="visually-hidden" for="r{{n}}-name">Recipient {{n}} name</label><input id="r{{n}}-name" name="r{{n}}.name" size="16" value="{{name}}"></td>
        <td><label class="visually-hidden" for="r{{n}}-email">Recipient {{n}} e-mail</label><input id="r{{n}}-email" name="r{{n}}.email" type="email" size="22" value="{{email}}"></td>
        <td><label class="visually-hidden" for="r{{n}}-role">Recipient {{n}} role</label><select id="r{{n}}-role" name="r{{n}}.role">{{#roleOptions}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/roleOptions}}</select></td>
        <td><label class="visually-hidden" for="r{{n}}-order">Recipient {{n}} routing order</label><input id="r{{n}}-order" name="r{{n}}.order" type="number" min="1" max="1000" value="{{order}}" size="3"></td>
        <td><label class="visually-hidden" for="r{{n}}-sig">Recipient {{n}} signature role</label><select id="r{{n}}-sig" name="r{{n}}.signatureRole"><option value="">—</option>{{#roles}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/roles}}</select></td>
        <td><label class="visually-hidden" for="r{{n}}-auth">Recipient {{n}} authentication</label><select id="r{{n}}-auth" name="r{{n}}.auth"><option value="emailOTP">E-mail code</option><option value="link"{{#linkOnly}} selected{{/linkOnly}}>Link only</option></select></td>
        </tr>{{/rows}}</tbody></table>
        <p class="hint">Leave a row's name empty to leave it out.</p>
        </fieldset>
        <p class="actions"><button type="submit" name="action" value="preview" class="primary" id="preview">Create and preview</button></p>
        </form>
        """
}
