"""The signing pages and the agent console in headless Chromium (Selenium + axe-core).

Started by Tests/WebPagesTests/BrowserTests.swift with a JSON configuration in
$CS_BROWSER_CONFIG: the server's base URL, the loopback SMTP server's Maildir, the agent's
API key, the envelopes prepared for each flow and a folder for screenshots. Exits non-zero
with a message naming the step when anything is not as expected; every axe-core violation
fails the run.
"""
import email
import email.policy
import json
import os
import re
import sys
import time
from pathlib import Path

from axe_core_python.selenium import Axe
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

CONFIG = json.loads(os.environ["CS_BROWSER_CONFIG"])
SHOTS = Path(CONFIG["screenshots"])
SHOTS.mkdir(parents=True, exist_ok=True)
STEP = [0]
CHECKED_PAGES = []


class FlowError(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise FlowError(message)


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = CONFIG.get("chromium", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--lang=en-US"):
        options.add_argument(argument)
    service = webdriver.ChromeService(executable_path=CONFIG.get("chromedriver", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_window_size(width, height)
    driver.implicitly_wait(0)
    return driver


def shot(driver, name):
    STEP[0] += 1
    driver.save_screenshot(str(SHOTS / f"{STEP[0]:02d}-{name}.png"))


def audit(driver, name):
    """Screenshot, then axe-core: any violation fails the run."""
    shot(driver, name)
    results = Axe().run(driver)
    violations = results["violations"]
    CHECKED_PAGES.append(name)
    if violations:
        described = "; ".join(f"{v['id']} ({v['impact']}): {v['help']} at "
                              + ", ".join(str(node["target"]) for node in v["nodes"][:3]) for v in violations)
        raise FlowError(f"axe-core found {len(violations)} violation(s) on '{name}' ({driver.current_url}): {described}")


def wait_for(driver, css, seconds=20):
    return WebDriverWait(driver, seconds).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


def click_and_wait(driver, element, css, seconds=20):
    """Clicks something that loads a new page, then waits for the new page to show `css`: when the
    page before had the same element, waiting for it alone could return before the new page came
    (a loaded machine made that race visible)."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, seconds).until(expected_conditions.staleness_of(page))
    return wait_for(driver, css, seconds)


def mails_to(address):
    folder = Path(CONFIG["maildir"]) / "new"
    found = []
    for path in sorted(folder.glob("*")) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in str(message["To"]):
            body = message.get_body(preferencelist=("plain",))
            found.append((path.stat().st_mtime, str(message["Subject"]), body.get_content() if body else ""))
    return [item[1:] for item in sorted(found)]


def wait_for_mail(address, predicate, seconds=60, after=0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        matching = [mail for mail in mails_to(address)[after:] if predicate(mail)]
        if matching:
            return matching[-1]
        time.sleep(0.3)
    raise FlowError(f"no matching e-mail reached {address} within {seconds} s; got {[m[0] for m in mails_to(address)]}")


def link_in(mail):
    found = re.search(re.escape(CONFIG["base"]) + r"/s/[0-9a-f]{64}", mail[1])
    expect(found, f"no signing link in the e-mail '{mail[0]}'")
    return found.group(0)


def tab_to(driver, css, limit=80):
    """Presses Tab until the focused element matches `css` (keyboard-only navigation)."""
    for _ in range(limit):
        if driver.execute_script("return document.activeElement && document.activeElement.matches(arguments[0])", css):
            return driver.switch_to.active_element
        ActionChains(driver).send_keys(Keys.TAB).perform()
    raise FlowError(f"Tab never reached '{css}' on {driver.current_url}")


def first_signer_draws_and_uses_the_emailed_code(envelope):
    driver = browser(1280, 900)
    try:
        address = envelope["customer"]
        driver.get(link_in(wait_for_mail(address, lambda m: "/s/" in m[1])))
        wait_for(driver, "#agree")
        audit(driver, "landing-consent")
        driver.find_element(By.ID, "agree").click()
        driver.find_element(By.CSS_SELECTOR, "form[action$='/consent'] button[type=submit]").click()
        wait_for(driver, "form[action$='/code/send'] button")
        audit(driver, "code-request")
        before = len(mails_to(address))
        driver.find_element(By.CSS_SELECTOR, "form[action$='/code/send'] button").click()
        code_mail = wait_for_mail(address, lambda m: m[0].startswith("Your code"), after=before)
        code = re.search(r"\b(\d{6})\b", code_mail[1]).group(1)
        wait_for(driver, "#code")
        driver.find_element(By.ID, "code").send_keys("000000" if code != "000000" else "111111")
        driver.find_element(By.CSS_SELECTOR, "form[action$='/code'] button[type=submit]").click()
        wait_for(driver, "#error")
        expect("Attempts left: 4" in driver.page_source, "a wrong code does not show the attempts left")
        expect(driver.execute_script("return document.activeElement && document.activeElement.id") == "error",
               "after a wrong code, focus is not on the message saying what was wrong")
        audit(driver, "code-wrong")
        driver.find_element(By.ID, "code").send_keys(code)
        driver.find_element(By.CSS_SELECTOR, "form[action$='/code'] button[type=submit]").click()
        wait_for(driver, "svg image")
        audit(driver, "review")
        images = driver.execute_script(
            "return Array.from(document.querySelectorAll('svg image')).map(i => i.getAttribute('href'))")
        expect(images, "the review shows no page images")
        driver.find_element(By.CSS_SELECTOR, "a[href$='/review?zoom=150']").click()
        wait_for(driver, ".zoom-150")
        shot(driver, "review-zoom-150")
        driver.find_element(By.ID, "adopt-link").click()
        wait_for(driver, "#pad")
        audit(driver, "adopt")
        pad = driver.find_element(By.ID, "pad")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", pad)
        width = pad.size["width"]
        actions = ActionChains(driver)
        actions.move_to_element_with_offset(pad, -width // 3, 0).click_and_hold()
        for step in range(1, 30):
            actions.move_by_offset(8, (-1) ** step * 12)
        actions.release().perform()
        ActionChains(driver).move_to_element_with_offset(pad, 0, -20).click_and_hold().move_by_offset(60, 30).release().perform()
        driver.find_element(By.ID, "pad-undo").click()
        shot(driver, "drawn-signature")
        driver.find_element(By.ID, "adopt-drawn").click()
        wait_for(driver, "img.mark")
        audit(driver, "review-with-drawn-signature")
        driver.find_element(By.ID, "confirm").click()
        driver.find_element(By.ID, "sign").click()
        WebDriverWait(driver, 20).until(lambda d: d.current_url.endswith("/done"))
        audit(driver, "done")
        return link_in(wait_for_mail(address, lambda m: "/s/" in m[1]))
    finally:
        driver.quit()


def second_signer_keyboard_only_on_a_phone(envelope):
    driver = browser(390, 844)
    try:
        address = envelope["company"]
        driver.get(link_in(wait_for_mail(address, lambda m: "/s/" in m[1])))
        wait_for(driver, "#agree")
        audit(driver, "phone-landing")
        tab_to(driver, "#agree").send_keys(Keys.SPACE)
        tab_to(driver, "form[action$='/consent'] button[type=submit]").send_keys(Keys.ENTER)
        wait_for(driver, "#adopt-link")
        audit(driver, "phone-review")
        tab_to(driver, "#adopt-link").send_keys(Keys.ENTER)
        wait_for(driver, "#typed-name")
        audit(driver, "phone-adopt")
        typed = tab_to(driver, "#typed-name")
        typed.send_keys(Keys.CONTROL, "a")
        typed.send_keys("Jamie Chen")
        previews = [element.text for element in driver.find_elements(By.CSS_SELECTOR, ".font-preview")]
        expect(len(previews) >= 3 and all(text == "Jamie Chen" for text in previews),
               f"the typed signature is not previewed live in every script: {previews}")
        # The script is a radio group: Tab reaches the checked one, an arrow key picks the next.
        tab_to(driver, "input[name=font]:checked").send_keys(Keys.ARROW_DOWN)
        expect(driver.find_element(By.ID, "font-kaushan-script").is_selected(), "the arrow key did not pick Kaushan Script")
        loaded = driver.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "document.fonts.load('32px \"Kaushan Script\"', 'Jamie Chen').then(function (f) { done(f.length); }, function () { done(-1); });")
        expect(loaded == 1, f"the Kaushan Script preview face did not load from our origin ({loaded})")
        audit(driver, "phone-adopt-script")
        tab_to(driver, "#adopt-typed").send_keys(Keys.ENTER)
        WebDriverWait(driver, 20).until(lambda d: "/review" in d.current_url)
        wait_for(driver, "#confirm")
        tab_to(driver, "#confirm").send_keys(Keys.SPACE)
        tab_to(driver, "#sign").send_keys(Keys.ENTER)
        WebDriverWait(driver, 20).until(lambda d: d.current_url.endswith("/done"))
        audit(driver, "phone-done")
    finally:
        driver.quit()


def completed_copy_is_offered(customer_link, company_link):
    """Once completed, the company's link (its own credential) offers the sealed copy in any
    browser; the customer, who entered a code in another browser, is told where it went here."""
    driver = browser(1280, 900)
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            driver.get(company_link)
            if driver.find_elements(By.CSS_SELECTOR, ".downloads a"):
                break
            time.sleep(1)
        expect(driver.find_elements(By.CSS_SELECTOR, ".downloads a"), "the completed envelope offers no download")
        audit(driver, "completed")
        driver.get(customer_link)
        expect(not driver.find_elements(By.CSS_SELECTOR, ".downloads a")
               and "e-mailed to the signers" in driver.find_element(By.TAG_NAME, "main").text,
               "a browser that entered no code is offered downloads, or not told where the copy went")
        audit(driver, "completed-elsewhere")
    finally:
        driver.quit()


def a_signer_declines(envelope):
    driver = browser(1280, 900)
    try:
        driver.get(link_in(wait_for_mail(envelope["customer"], lambda m: "/s/" in m[1])))
        wait_for(driver, "#agree")
        driver.find_element(By.LINK_TEXT, "Decline to sign").click()
        wait_for(driver, "#reason")
        audit(driver, "decline")
        driver.find_element(By.ID, "reason").send_keys("The seat count is wrong.")
        click_and_wait(driver, driver.find_element(By.ID, "decline-confirm"), "h1")
        expect("Declined" in driver.find_element(By.TAG_NAME, "h1").text, "declining does not end on the declined page")
        expect("The seat count is wrong." in driver.find_element(By.TAG_NAME, "main").text,
               "the declined page does not repeat the signer's reason")
        audit(driver, "declined")
    finally:
        driver.quit()


def the_agent_tracks_reminds_and_voids(envelopes):
    driver = browser(1280, 900)
    try:
        driver.get(CONFIG["base"] + "/console")
        wait_for(driver, "#key")
        audit(driver, "console-login")
        driver.find_element(By.ID, "key").send_keys(CONFIG["agentKey"])
        driver.find_element(By.CSS_SELECTOR, "form[action='/console/login'] button").click()
        wait_for(driver, "table")
        audit(driver, "console-list")
        driver.find_element(By.ID, "crm").send_keys("lead_id=" + envelopes["void"]["lead"])
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[role=search] button"), "tbody a")
        rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
        expect(len(rows) == 1, f"searching by CRM id found {len(rows)} envelopes")
        audit(driver, "console-search")
        rows[0].find_element(By.TAG_NAME, "a").click()
        wait_for(driver, "#remind")
        audit(driver, "console-envelope")
        click_and_wait(driver, driver.find_element(By.ID, "remind"), "p.notice")
        expect("recipient.reminded" in driver.page_source, "the timeline does not show the reminder")
        driver.find_element(By.ID, "void-reason").send_keys("Customer asked for a new quote")
        click_and_wait(driver, driver.find_element(By.ID, "void"), "p.notice")
        expect(driver.find_element(By.ID, "envelope-state").text.startswith("voided"), "the envelope is not voided")
        audit(driver, "console-voided")
        driver.get(CONFIG["base"] + "/console/new")
        wait_for(driver, "main ul a")
        audit(driver, "console-templates")
        driver.find_element(By.CSS_SELECTOR, "main ul a").click()
        wait_for(driver, "#subject")
        audit(driver, "console-new")
    finally:
        driver.quit()


def main():
    envelopes = CONFIG["envelopes"]
    try:
        customer_link = first_signer_draws_and_uses_the_emailed_code(envelopes["sign"])
        second_signer_keyboard_only_on_a_phone(envelopes["sign"])
        completed_copy_is_offered(customer_link, link_in(wait_for_mail(envelopes["sign"]["company"], lambda m: "/s/" in m[1])))
        a_signer_declines(envelopes["decline"])
        the_agent_tracks_reminds_and_voids(envelopes)
    except FlowError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"pages": CHECKED_PAGES, "screenshots": str(SHOTS)}))


if __name__ == "__main__":
    main()
