// The demo page: plain DOM, no framework. Configuration comes only from generated files: built in,
// or the amplify_outputs.json that the hosting deployment writes (lib/runtimeconfig.ts).
import buildTimeOutputs from 'apiless:amplify-outputs';
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  getCurrentUser,
  signIn,
  signOut,
  signUp,
  type SignInOutput,
} from 'aws-amplify/auth';
import './style.css';
import { createDataApi } from './data';
import { configDifferences, configFromEnv, configFromOutputs, passwordProblems, type AppConfig } from './lib/config';
import { identityPoolCredentials, SessionExpiredError } from './lib/credentials';
import { chooseOutputs } from './lib/runtimeconfig';
import { classifyError, isolationVerdict } from './lib/errors';
import { fileNameProblem } from './lib/keys';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};

function setStatus(text: string, kind: 'ok' | 'error' | '' = ''): void {
  const s = $('status');
  s.textContent = text;
  s.className = `status ${kind}`;
  s.dataset.kind = kind;
}

function showError(err: unknown, action: string): void {
  const c = classifyError(err);
  setStatus(`${action}: ${c.message}`, 'error');
  $('status').dataset.errorKind = c.kind;
  $('status').title = c.detail;
  console.warn(action, err);
  if (c.kind === 'session-expired') void endSession();
}

/** After an expired or revoked session: drop the local tokens so the user can sign in again. */
async function endSession(): Promise<void> {
  await showSignedOut();
  await signOut().catch((err: unknown) => console.warn('local sign-out', err));
}

/** Runs one user action with a status line and readable errors. */
async function act(action: string, fn: () => Promise<string | void>): Promise<void> {
  setStatus(`${action}…`);
  delete $('status').dataset.errorKind;
  try {
    const done = await fn();
    setStatus(done ?? `${action}: done`, 'ok');
  } catch (err) {
    showError(err, action);
  }
}

// ---------------------------------------------------------------- configuration

// Hosted by the demo stack, the app runs on the amplify_outputs.json its deployment wrote;
// otherwise (and always under `npm run dev`) on the configuration built into it.
const chosen = await chooseOutputs(buildTimeOutputs, import.meta.env);
const outputs = chosen.outputs;

let cfg: AppConfig;
try {
  Amplify.configure(outputs);
  cfg = configFromOutputs(outputs);
  if (cfg.endpoint) {
    // apiless dev: amplify_outputs.json has no field for the Cognito endpoints, and configure
    // replaces rather than merges, so re-configure with them added.
    const current = Amplify.getConfig();
    const cognito = { ...current.Auth!.Cognito, userPoolEndpoint: cfg.endpoint, identityPoolEndpoint: cfg.endpoint };
    Amplify.configure({ ...current, Auth: { ...current.Auth, Cognito: cognito } } as typeof current);
  }
  const banner = $('config-banner');
  const notes: string[] = [];
  if (chosen.rejected) notes.push(`The site's amplify_outputs.json is not usable (${chosen.rejected}): using the configuration built into the app.`);
  if (chosen.source === 'build' && __APILESS_CONFIG_SOURCE__ === 'example') {
    notes.push(
      'Using the sample configuration in web/example/ (fake IDs, no backend). Deploy, then run in the repository root: go run ./cmd/apiless config outputs.json',
    );
  }
  // The .env belongs to the build-time configuration: compare only when running on it.
  if (chosen.source === 'build') {
    try {
      const diff = configDifferences(cfg, configFromEnv(import.meta.env));
      if (diff.length) notes.push(`amplify_outputs.json and .env disagree (${diff.join('; ')}): run apiless config again.`);
    } catch (err) {
      notes.push(`.env: ${(err as Error).message}`);
    }
  }
  if (notes.length) {
    banner.textContent = notes.join(' ');
    banner.hidden = false;
  }
} catch (err) {
  setStatus(`Configuration error: ${(err as Error).message}`, 'error');
  throw err;
}

const credentials = identityPoolCredentials(fetchAuthSession);
const api = createDataApi(cfg, credentials);

// ---------------------------------------------------------------- session

interface Me {
  identityId: string;
  sub: string;
  email: string;
}
let me: Me | undefined;

async function currentMe(): Promise<Me> {
  const s = await fetchAuthSession();
  const idToken = s.tokens?.idToken;
  if (!idToken || !s.identityId) throw new SessionExpiredError();
  const claims = idToken.payload;
  return { identityId: s.identityId, sub: String(claims.sub ?? ''), email: String(claims.email ?? claims['cognito:username'] ?? '') };
}

async function showCredentials(): Promise<void> {
  const c = await credentials();
  $('access-key').textContent = c.accessKeyId;
  $('expires').textContent = c.expiration ? c.expiration.toISOString() : 'unknown';
}

async function showSignedIn(): Promise<void> {
  me = await currentMe();
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  $('who').textContent = me.email;
  $('identity-id').textContent = me.identityId;
  $('sub').textContent = me.sub;
  $('folder').textContent = api.folder(me.identityId);
  const other = $<HTMLInputElement>('other-identity');
  if (!other.value) other.value = `${cfg.region}:${crypto.randomUUID()}`;
  await showCredentials();
  // A failed list must not look like a failed sign-in: say so in the list itself.
  await Promise.all([loadList(renderItems, 'items'), loadList(renderFiles, 'files')]);
}

async function loadList(render: () => Promise<void>, listId: string): Promise<void> {
  try {
    await render();
  } catch (err) {
    const c = classifyError(err);
    const li = document.createElement('li');
    li.className = 'error';
    li.textContent = `Could not load: ${c.message}`;
    li.title = c.detail;
    $(listId).replaceChildren(li);
    if (c.kind === 'session-expired') void endSession();
  }
}

async function showSignedOut(): Promise<void> {
  me = undefined;
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
}

function requireMe(): Me {
  if (!me) throw new SessionExpiredError();
  return me;
}

// ---------------------------------------------------------------- auth forms

const policy = cfg.passwordPolicy;
if (policy) {
  const rules = passwordProblems(policy, '');
  $('password-hint').textContent = `The password needs ${rules.join(', ')}.`;
}

function formValues(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, typeof v === 'string' ? v.trim() : '']));
}

async function afterSignIn(out: SignInOutput, email: string): Promise<string> {
  const step = out.nextStep.signInStep;
  switch (step) {
    case 'DONE':
      await showSignedIn();
      return `Signed in as ${email}`;
    case 'CONFIRM_SIGN_UP':
      $<HTMLInputElement>('confirm-form').querySelector<HTMLInputElement>('[name=email]')!.value = email;
      return 'Confirm your sign-up with the code sent by email first.';
    case 'CONFIRM_SIGN_IN_WITH_TOTP_CODE':
    case 'CONFIRM_SIGN_IN_WITH_SMS_CODE':
    case 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE':
      $('challenge-form').hidden = false;
      $('challenge-text').textContent = `Enter the code (${step.replace('CONFIRM_SIGN_IN_WITH_', '').toLowerCase()}).`;
      return 'A second factor is required.';
    default:
      throw new Error(`sign-in step ${step} is not supported by this demo`);
  }
}

$<HTMLFormElement>('sign-up-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const { email, password } = formValues(e.currentTarget as HTMLFormElement);
  void act('Sign up', async () => {
    const missing = passwordProblems(policy, password ?? '');
    if (missing.length) throw Object.assign(new Error(`The password needs ${missing.join(', ')}.`), { name: 'InvalidPasswordException' });
    const out = await signUp({ username: email!, password: password!, options: { userAttributes: { email: email! } } });
    $('confirm-form').querySelector<HTMLInputElement>('[name=email]')!.value = email!;
    if (out.nextStep.signUpStep === 'CONFIRM_SIGN_UP') {
      const dest = out.nextStep.codeDeliveryDetails?.destination ?? 'your email';
      return `Signed up. Enter the code sent to ${dest} to confirm.`;
    }
    return 'Signed up. You can sign in.';
  });
});

$<HTMLFormElement>('confirm-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const { email, code } = formValues(e.currentTarget as HTMLFormElement);
  void act('Confirm sign-up', async () => {
    await confirmSignUp({ username: email!, confirmationCode: code! });
    $('sign-in-form').querySelector<HTMLInputElement>('[name=email]')!.value = email!;
    return 'Confirmed. You can sign in.';
  });
});

$<HTMLFormElement>('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const { email, password } = formValues(e.currentTarget as HTMLFormElement);
  void act('Sign in', async () => afterSignIn(await signIn({ username: email!, password: password! }), email!));
});

$<HTMLFormElement>('challenge-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const { code } = formValues(e.currentTarget as HTMLFormElement);
  void act('Second factor', async () => {
    const out = await confirmSignIn({ challengeResponse: code! });
    $('challenge-form').hidden = true;
    return afterSignIn(out, '');
  });
});

$('sign-out').addEventListener('click', () => {
  void act('Sign out', async () => {
    await signOut();
    await showSignedOut();
    return 'Signed out.';
  });
});

$('refresh-session').addEventListener('click', () => void act('Credentials', async () => {
  await showCredentials();
  return 'Credentials shown above (refreshed automatically before they expire).';
}));

// ---------------------------------------------------------------- items

async function renderItems(): Promise<void> {
  const items = await api.listItems(requireMe().identityId);
  const ul = $('items');
  ul.replaceChildren(
    ...items.map((it) => {
      const li = document.createElement('li');
      li.dataset.itemId = it.itemId;
      const label = document.createElement('span');
      label.textContent = `${it.itemId}: ${it.text}`;
      const del = document.createElement('button');
      del.type = 'button';
      del.textContent = 'Delete';
      del.addEventListener('click', () =>
        void act(`Delete item ${it.itemId}`, async () => {
          await api.deleteItem(requireMe().identityId, it.itemId);
          await renderItems();
          return `Deleted item ${it.itemId}.`;
        }),
      );
      li.append(label, del);
      return li;
    }),
  );
  if (!items.length) ul.innerHTML = '<li class="hint">No items yet.</li>';
}

$<HTMLFormElement>('item-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const { itemId, text } = formValues(e.currentTarget as HTMLFormElement);
  void act('Put item', async () => {
    await api.putItem(requireMe().identityId, itemId!, text ?? '');
    await renderItems();
    return `Saved item ${itemId}.`;
  });
});

$('get-item').addEventListener('click', () => {
  const itemId = $('item-form').querySelector<HTMLInputElement>('[name=itemId]')!.value.trim();
  void act('Get item', async () => {
    const it = await api.getItem(requireMe().identityId, itemId);
    return it ? `Item ${it.itemId}: "${it.text}" (updated ${it.updatedAt})` : `No item ${itemId}.`;
  });
});

$('list-items').addEventListener('click', () => void act('List items', async () => renderItems()));

// ---------------------------------------------------------------- files

async function renderFiles(): Promise<void> {
  const files = await api.listFiles(requireMe().identityId);
  const ul = $('files');
  ul.replaceChildren(
    ...files.map((f) => {
      const li = document.createElement('li');
      li.dataset.key = f.key;
      const label = document.createElement('span');
      label.textContent = `${f.name} (${f.size} bytes)`;
      const get = document.createElement('button');
      get.type = 'button';
      get.textContent = 'Download';
      get.addEventListener('click', () =>
        void act(`Download ${f.name}`, async () => {
          const { bytes, contentType } = await api.download(requireMe().identityId, f.name);
          const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: contentType || 'application/octet-stream' }));
          const a = document.createElement('a');
          a.href = url;
          a.download = f.name;
          a.click();
          setTimeout(() => URL.revokeObjectURL(url), 10_000);
          return `Downloaded ${f.name} (${bytes.length} bytes).`;
        }),
      );
      const del = document.createElement('button');
      del.type = 'button';
      del.textContent = 'Delete';
      del.addEventListener('click', () =>
        void act(`Delete ${f.name}`, async () => {
          await api.deleteFile(requireMe().identityId, f.name);
          await renderFiles();
          return `Deleted ${f.name}.`;
        }),
      );
      li.append(label, get, del);
      return li;
    }),
  );
  if (!files.length) ul.innerHTML = '<li class="hint">No files yet.</li>';
}

$<HTMLFormElement>('upload-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = (e.currentTarget as HTMLFormElement).querySelector<HTMLInputElement>('[name=file]')!;
  const file = input.files?.[0];
  void act('Upload', async () => {
    if (!file) throw Object.assign(new Error('Choose a file first.'), { name: 'KeyError' });
    const problem = fileNameProblem(file.name);
    if (problem) throw Object.assign(new Error(problem), { name: 'KeyError' });
    const key = await api.upload(requireMe().identityId, file.name, new Uint8Array(await file.arrayBuffer()), file.type);
    await renderFiles();
    return `Uploaded ${key}.`;
  });
});

$('list-files').addEventListener('click', () => void act('List files', async () => renderFiles()));

// ---------------------------------------------------------------- isolation demo

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-probe]')) {
  button.addEventListener('click', () => {
    const name = button.dataset.probe!;
    const cell = $(`probe-${name}`);
    cell.textContent = 'trying…';
    cell.className = 'verdict';
    void (async () => {
      let result;
      try {
        const self = requireMe();
        const other = $<HTMLInputElement>('other-identity').value.trim();
        const otherFile = $<HTMLInputElement>('other-file').value.trim() || 'hello.txt';
        const probe = api.probes(self, other, otherFile)[name];
        if (!probe) throw new Error(`unknown probe ${name}`);
        await probe();
        result = isolationVerdict({ ok: true });
      } catch (error) {
        result = isolationVerdict({ ok: false, error });
      }
      const detail = document.createElement('small');
      detail.textContent = result.detail ?? '';
      cell.replaceChildren(result.text, document.createElement('br'), detail);
      cell.className = `verdict ${result.verdict}`;
      cell.dataset.verdict = result.verdict;
    })();
  });
}

// ---------------------------------------------------------------- start

void (async () => {
  try {
    await getCurrentUser();
    await showSignedIn();
    setStatus('Welcome back.', 'ok');
  } catch (err) {
    await showSignedOut();
    const c = classifyError(err);
    if (c.kind !== 'session-expired') showError(err, 'Restoring the session');
  }
  document.body.dataset.ready = 'true';
})();
