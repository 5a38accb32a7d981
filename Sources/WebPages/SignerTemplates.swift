/// The signing pages' mustache templates (HTML-escaped by default; `{{{…}}}` only for HTML we
/// made). No inline script, no style attributes: the CSP forbids both.
enum SignerTemplates {
    static let all: [String: String] = [
        "layout": layout, "landing": landing, "auth": auth, "review": review, "adopt": adopt,
        "decline": decline, "message": message,
    ]

    static let layout = """
        <!DOCTYPE html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · {{organisation}}</title>
        <link rel="stylesheet" href="/assets/pages.css">
        {{#script}}<script src="/assets/{{script}}" defer></script>{{/script}}
        </head>
        <body>
        <a class="skip" href="#main">{{t.skip}}</a>
        <header class="bar"><p class="org">{{organisation}}</p>{{#subject}}<p class="subject" dir="auto">{{subject}}</p>{{/subject}}</header>
        <main id="main" tabindex="-1">
        {{#error}}<div class="error" role="alert" id="error" tabindex="-1" autofocus><p><strong>{{t.error_title}}</strong></p><p>{{error}}</p></div>{{/error}}
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{{content}}}
        </main>
        </body>
        </html>
        """

    static let landing = """
        <h1 dir="auto">{{subject}}</h1>
        <dl class="facts">
        <dt>{{t.from}}</dt><dd>{{sender}}</dd>
        {{#message}}<dt>{{t.message}}</dt><dd dir="auto">{{message}}</dd>{{/message}}
        <dt>{{t.documents}}</dt><dd><ul>{{#documents}}<li><bdi>{{name}}</bdi> ({{pages}} {{pagesLabel}})</li>{{/documents}}</ul></dd>
        {{#deadline}}<dt>{{t.deadline}}</dt><dd><time datetime="{{deadline}}">{{deadline}}</time></dd>{{/deadline}}
        </dl>
        {{#needsConsent}}
        <section aria-labelledby="consent-title" class="card">
        <h2 id="consent-title">{{t.consent_title}}</h2>
        <p>{{consentIntro}}</p>
        <div class="disclosure" tabindex="0" role="region" aria-label="{{t.consent_text}}">{{#disclosure}}<p>{{.}}</p>{{/disclosure}}</div>
        <form method="post" action="{{base}}/consent">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="version" value="{{disclosureVersion}}">
        <input type="hidden" name="sha256" value="{{disclosureSHA256}}">
        <p class="check"><input type="checkbox" id="agree" name="agree" value="yes" required>
        <label for="agree">{{t.consent_agree}}</label></p>
        <p class="actions"><button type="submit" class="primary">{{t.continue}}</button>
        <a class="button" href="{{base}}/decline">{{t.decline}}</a></p>
        </form>
        </section>
        {{/needsConsent}}
        {{^needsConsent}}<p class="actions"><a class="button primary" href="{{next}}">{{t.continue}}</a></p>{{/needsConsent}}
        """

    static let auth = """
        <h1>{{t.auth_title}}</h1>
        {{#otp}}
        {{^sent}}<p>{{otpIntro}}</p>
        <form method="post" action="{{base}}/code/send"><input type="hidden" name="csrf" value="{{csrf}}">
        <p class="actions"><button type="submit" class="primary">{{t.otp_send}}</button></p></form>{{/sent}}
        {{#sent}}<p>{{otpSent}}</p>{{/sent}}
        {{/otp}}
        {{#access}}<p>{{t.access_intro}}</p>{{/access}}
        {{#locked}}<p class="error-text" role="alert">{{locked}}</p>{{/locked}}
        {{#canEnter}}
        <form method="post" action="{{base}}/code" class="card">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <p><label for="code">{{codeLabel}}</label>
        <input id="code" name="code" {{#otp}}inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6"{{/otp}}
         {{#access}}autocomplete="off"{{/access}} required aria-describedby="attempts{{#error}} error{{/error}}"></p>
        <p id="attempts" class="hint">{{attemptsLeft}}</p>
        <p class="actions"><button type="submit" class="primary">{{t.verify}}</button></p>
        </form>
        {{/canEnter}}
        {{#otp}}{{#sent}}<form method="post" action="{{base}}/code/send"><input type="hidden" name="csrf" value="{{csrf}}">
        <p><button type="submit">{{t.otp_resend}}</button></p></form>{{/sent}}{{/otp}}
        <p><a href="{{base}}/decline">{{t.decline}}</a></p>
        """

    static let review = """
        <h1>{{t.review_title}}</h1>
        <nav class="tools" aria-label="{{t.review_title}}">
        <span id="zoom-label">{{t.zoom}}</span>
        <ul class="zoom" aria-labelledby="zoom-label">{{#zooms}}<li><a href="{{base}}/review?zoom={{value}}"{{#current}} aria-current="true"{{/current}}>{{value}}%</a></li>{{/zooms}}</ul>
        {{#nextField}}<a class="button" id="next-field" href="#field-{{nextField}}">{{t.next_field}}</a>{{/nextField}}
        {{^nextField}}<span class="ok">{{t.all_filled}}</span>{{/nextField}}
        <a href="{{base}}/later">{{t.later}}</a>
        <a href="{{base}}/decline">{{t.decline}}</a>
        </nav>
        <div class="review">
        <div class="pages zoom-{{zoom}}">
        {{#pages}}
        <figure class="page" id="page-{{document}}-{{number}}">
        <svg viewBox="0 0 {{width}} {{height}}" role="img" aria-labelledby="caption-{{document}}-{{number}}">
        <image href="{{image}}" x="0" y="0" width="{{width}}" height="{{height}}"/>
        {{#boxes}}<rect class="box{{#mine}} mine{{/mine}}" x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}" fill="{{colour}}" fill-opacity="0.18" stroke="{{colour}}" stroke-width="1.5"/>
        <text x="{{textX}}" y="{{textY}}" fill="{{colour}}" font-size="9">{{label}}</text>{{/boxes}}
        </svg>
        <figcaption id="caption-{{document}}-{{number}}">{{caption}}</figcaption>
        <details><summary>{{textTitle}}</summary><pre class="page-text">{{text}}</pre></details>
        </figure>
        {{/pages}}
        </div>
        <aside class="panel" aria-label="{{t.signature}}">
        <form method="post" action="{{base}}/sign" novalidate id="review-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        {{#hasFields}}
        <h2 id="fields-title">{{t.your_fields}}</h2>
        {{#fields}}
        <div class="field{{#invalid}} invalid{{/invalid}}" id="field-{{name}}">
        {{#text}}<label for="f-{{name}}">{{label}}{{#required}} <span class="req">({{t.required}})</span>{{/required}}</label>
        <input id="f-{{name}}" name="field.{{name}}" value="{{value}}" maxlength="{{maxLength}}" {{#required}}required aria-required="true"{{/required}}{{#invalid}} aria-invalid="true" aria-describedby="e-{{name}}"{{/invalid}} data-required="{{required}}">{{/text}}
        {{#checkbox}}<input type="hidden" name="field.{{name}}" value="false"><input type="checkbox" id="f-{{name}}" name="field.{{name}}" value="true" data-required="{{required}}"{{#checked}} checked{{/checked}}{{#required}} required aria-required="true"{{/required}}{{#invalid}} aria-invalid="true" aria-describedby="e-{{name}}"{{/invalid}}>
        <label for="f-{{name}}">{{label}}{{#required}} <span class="req">({{t.required}})</span>{{/required}}</label>{{/checkbox}}
        {{#dropdown}}<label for="f-{{name}}">{{label}}{{#required}} <span class="req">({{t.required}})</span>{{/required}}</label>
        <select id="f-{{name}}" name="field.{{name}}" {{#required}}required aria-required="true"{{/required}}{{#invalid}} aria-invalid="true" aria-describedby="e-{{name}}"{{/invalid}} data-required="{{required}}">
        <option value="">{{t.choose}}</option>{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/options}}</select>{{/dropdown}}
        {{#date}}<p><span class="label">{{label}}</span><br><span class="hint">{{t.date_auto}}</span></p>{{/date}}
        {{#invalid}}<p class="error-text" id="e-{{name}}">{{invalid}}</p>{{/invalid}}
        </div>
        {{/fields}}
        {{#hasFillable}}<p><button type="submit" formaction="{{base}}/fill" id="save-fields">{{t.save_fields}}</button></p>{{/hasFillable}}
        {{/hasFields}}
        {{#signer}}
        <h2>{{t.signature}}</h2>
        {{#mark}}<p class="mark-label">{{t.adopted}}</p>
        {{#typed}}<p class="mark script font-{{font}}">{{typed}}</p>{{/typed}}
        {{#image}}<img class="mark" src="{{image}}" alt="{{t.adopted}}">{{/image}}
        <p><button type="submit" formaction="{{base}}/fill" name="next" value="adopt" id="change-mark">{{t.change}}</button></p>{{/mark}}
        {{^mark}}<p><button type="submit" class="primary" formaction="{{base}}/fill" name="next" value="adopt" id="adopt-link">{{t.adopt}}</button></p>{{/mark}}
        {{/signer}}
        <h2>{{t.confirm_title}}</h2>
        <div class="card">
        <p>{{confirmText}}</p>
        <p class="check"><input type="checkbox" id="confirm" name="confirm" value="yes" required>
        <label for="confirm">{{t.confirm_check}}</label></p>
        <p><button type="submit" class="primary" id="sign">{{actionLabel}}</button></p>
        </div>
        </form>
        </aside>
        </div>
        """

    static let adopt = """
        <h1>{{t.adopt}}</h1>
        <p><a href="{{base}}/review">{{t.back}}</a></p>
        {{#hasInitials}}<p class="hint">{{t.initials_note}}</p>{{/hasInitials}}
        <section class="card" aria-labelledby="type-title">
        <h2 id="type-title">{{t.type_title}}</h2>
        <form method="post" action="{{base}}/adopt">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="method" value="typed">
        <p><label for="typed-name">{{t.type_label}}</label>
        <input id="typed-name" name="name" value="{{name}}" maxlength="100" required autocomplete="name"></p>
        <fieldset class="fonts"><legend>{{t.font_legend}}</legend>
        {{#fonts}}<div class="font-choice"><input type="radio" name="font" id="font-{{id}}" value="{{id}}"{{#checked}} checked{{/checked}}>
        <label for="font-{{id}}"><span class="script font-preview font-{{id}}">{{name}}</span>
        <span class="hint">{{family}} — {{style}}</span></label></div>
        {{/fonts}}</fieldset>
        <p><button type="submit" class="primary" id="adopt-typed">{{t.use_typed}}</button></p>
        </form>
        </section>
        <section class="card" aria-labelledby="draw-title">
        <h2 id="draw-title">{{t.draw_title}}</h2>
        <noscript><p>{{t.draw_nojs}}</p></noscript>
        <form method="post" action="{{base}}/adopt" id="draw-form" class="needs-js">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="method" value="drawn">
        <input type="hidden" name="png" id="drawn-png">
        <p id="draw-help" data-empty="{{t.draw_empty}}">{{t.draw_help}}</p>
        <canvas id="pad" width="600" height="200" role="img" aria-label="{{t.draw_pad}}" aria-describedby="draw-help"></canvas>
        <p class="actions"><button type="button" id="pad-undo">{{t.undo}}</button> <button type="button" id="pad-clear">{{t.clear}}</button>
        <button type="submit" class="primary" id="adopt-drawn">{{t.use_drawn}}</button></p>
        </form>
        </section>
        <section class="card" aria-labelledby="upload-title">
        <h2 id="upload-title">{{t.upload_title}}</h2>
        <form method="post" action="{{base}}/adopt" enctype="multipart/form-data">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="method" value="uploaded">
        <p><label for="upload">{{t.upload_label}}</label>
        <input type="file" id="upload" name="image" accept="image/png" required></p>
        <p><button type="submit">{{t.use_upload}}</button></p>
        </form>
        </section>
        """

    static let decline = """
        <h1>{{t.decline_title}}</h1>
        <p>{{t.decline_text}}</p>
        <form method="post" action="{{base}}/decline" class="card">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <p><label for="reason">{{t.decline_reason}}</label>
        {{#error}}<p class="error-text" id="reason-error" role="alert">{{error}}</p>{{/error}}
        <textarea id="reason" name="reason" rows="4" maxlength="1000" required{{#error}} aria-invalid="true" aria-describedby="reason-error" autofocus{{/error}}>{{reason}}</textarea></p>
        <p class="actions"><button type="submit" class="danger" id="decline-confirm">{{t.decline_confirm}}</button>
        <a href="{{back}}">{{t.back}}</a></p>
        </form>
        """

    static let message = """
        <h1>{{heading}}</h1>
        {{#paragraphs}}<p>{{.}}</p>{{/paragraphs}}
        {{#downloads}}<ul class="downloads">{{#items}}<li><a href="{{href}}" download>{{label}}</a></li>{{/items}}</ul>{{/downloads}}
        {{#link}}<p><a class="button" href="{{href}}">{{label}}</a></p>{{/link}}
        """
}
