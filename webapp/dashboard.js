// The dashboard: a card per image, its figures from GET /images every two seconds, its preview a snapshot fetched
// about once a second (a 304 when the picture has not changed). A stream only for the one image watched large.
// A browser keeps at most six HTTP/1.1 connections per server, so a stream per card would starve everything else:
// here the page needs at most five (the list, three previews, the large view), whatever the number of images.
// Relative URLs, so it works at / and under any context path. Data goes into the page as text, never as HTML.
(function () {
  'use strict';
  const LIST_INTERVAL_MS = 2000;
  const PREVIEW_INTERVAL_MS = 1000;
  const PREVIEWS_IN_FLIGHT = 3;
  /** After a snapshot request fails or has no picture, the card waits this long before asking again. */
  const PREVIEW_RETRY_MS = 5000;
  const REQUEST_TIMEOUT_MS = 8000;

  const params = new URLSearchParams(location.search);
  let token = params.get('token');

  const imagePath = (id) => 'images/' + encodeURIComponent(id);
  // The one place that says what a preview is: the image's snapshot at card size.
  const previewUrl = (id) => imagePath(id) + '?width=320';
  const streamUrl = (id) => imagePath(id) + '/stream';
  // For URLs the browser or another program opens by itself (img src, links, copied URLs): the token as ?token=.
  const withToken = (url) => token ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : url;
  const absolute = (url) => new URL(url, location.href).href;
  const $ = (id) => document.getElementById(id);

  /**
   * The page's own requests. The token goes in a header, which stays out of access logs. Without credentials
   * (cookies), Chromium gives these requests connections of their own: streams that other tabs hold open on this
   * server do not make the list and the previews wait.
   */
  function request(url, headers) {
    const all = new Headers(headers);
    if (token) {
      all.set('Authorization', 'Bearer ' + token);
    }
    return fetch(url, { headers: all, credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  }

  // ---- connection state: ok, offline (the server went away: reconnecting) or unauthorized (token missing or wrong)

  let connection = 'ok';

  function setConnection(state, reason) {
    connection = state;
    const banner = $('banner');
    banner.hidden = state !== 'offline';
    if (state === 'offline') {
      banner.textContent = 'Lost the server (' + reason + '); reconnecting…';
    }
    const login = $('login');
    login.hidden = state !== 'unauthorized';
    if (state === 'unauthorized') {
      $('login-reason').textContent = token ? 'The access token is wrong.' : 'This server wants an access token.';
      $('summary').textContent = '401: access token missing or wrong';
    }
    document.body.classList.toggle('offline', state !== 'ok');
    if (state === 'ok') {
      pump();
    }
  }

  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    token = $('token').value;
    params.set('token', token);
    history.replaceState(null, '', '?' + params);
    for (const card of cards.values()) {
      card.node.querySelector('.snapshot').href = withToken(imagePath(card.id));
      card.node.querySelector('.stream').href = withToken(streamUrl(card.id));
    }
    refreshList();
  });

  // ---- the image list

  const cards = new Map();
  const main = $('images');
  const template = $('card');
  let listTimer = null;
  let listBusy = false;

  async function refreshList() {
    clearTimeout(listTimer);
    listTimer = null;
    if (document.hidden || listBusy) {
      return;
    }
    listBusy = true;
    try {
      const response = await request('images');
      if (response.status === 401) {
        setConnection('unauthorized');
      } else if (!response.ok) {
        setConnection('offline', 'HTTP ' + response.status);
      } else {
        render(await response.json());
        setConnection('ok');
      }
    } catch (e) {
      setConnection('offline', e.name === 'TimeoutError' ? 'no answer' : 'no connection');
    } finally {
      listBusy = false;
      // Also after a 401: the config may drop or change the token, and the page should follow by itself.
      if (!document.hidden) {
        listTimer = setTimeout(refreshList, LIST_INTERVAL_MS);
      }
    }
  }

  function addCard(id) {
    const node = template.content.firstElementChild.cloneNode(true);
    node.dataset.id = id;
    node.querySelector('.id').textContent = id;
    node.querySelector('.snapshot').href = withToken(imagePath(id));
    node.querySelector('.stream').href = withToken(streamUrl(id));
    node.querySelector('.preview').addEventListener('click', () => openViewer(id));
    const card = { id, node, img: node.querySelector('.preview img'), image: null, etag: null, objectUrl: null,
      due: performance.now(), busy: false, pictures: 0 };
    cards.set(id, card);
    return card;
  }

  function removeCard(card) {
    card.node.remove();
    cards.delete(card.id);
    if (card.objectUrl) {
      URL.revokeObjectURL(card.objectUrl);
    }
    if (viewerId === card.id) {
      $('viewer').close();
    }
  }

  function render(images) {
    const ids = Object.keys(images);
    for (const card of [...cards.values()]) {
      if (!Object.hasOwn(images, card.id)) {
        removeCard(card);
      }
    }
    let fresh = 0;
    ids.forEach((id, index) => {
      const image = images[id];
      const card = cards.get(id) || addCard(id);
      card.image = image;
      // In the config's order, also for images a reload added.
      if (main.children[index] !== card.node) {
        main.insertBefore(card.node, main.children[index] || null);
      }
      if (image.state === 'fresh') {
        fresh++;
      }
      showFigures(card, image);
      if (viewerId === id) {
        showState($('viewer-state'), image.state);
      }
    });
    $('summary').textContent = ids.length + ' image(s), ' + fresh + ' fresh';
    showAdvice(ids.filter((id) => images[id].connector_advice), ids.length, images);
    pump();
  }

  // ---- the connector advice: what to change in server.xml when frames do not fit the connector's write buffer

  const ADVICE_DISMISSED = 'mjpeg-server.connector-advice-dismissed';
  const ADVICE_IDS_SHOWN = 5;

  /**
   * What a dismissal is remembered by: the advice without the sentence about one image's frame size, which changes
   * with every camera and frame; a change to the connector itself brings the notice back.
   */
  const adviceKey = (advice) => advice.replace(/, smaller than [^.]*\./, '.');
  let dismissedAdvice = null;
  try {
    dismissedAdvice = localStorage.getItem(ADVICE_DISMISSED);
  } catch (e) {
    // Storage turned off: a dismissal lasts until the page loads again.
  }

  /** The advice of the first image it concerns, as text; nothing when every image's frames fit the buffer. */
  function showAdvice(advised, total, images) {
    const advice = advised.length > 0 ? images[advised[0]].connector_advice : null;
    const notice = $('advice');
    notice.hidden = advice === null || adviceKey(advice) === dismissedAdvice;
    if (!notice.hidden) {
      notice.dataset.key = adviceKey(advice);
      $('advice-text').textContent = advice.charAt(0).toUpperCase() + advice.slice(1);
      const more = advised.length - ADVICE_IDS_SHOWN;
      const named = advised.slice(0, ADVICE_IDS_SHOWN).join(', ') + (more > 0 ? ' and ' + more + ' more' : '');
      $('advice-scope').textContent = '(Frames of ' + advised.length + ' of ' + total + ' images: ' + named + '.)';
    }
  }

  $('advice-close').addEventListener('click', () => {
    const notice = $('advice');
    notice.hidden = true;
    dismissedAdvice = notice.dataset.key;
    try {
      localStorage.setItem(ADVICE_DISMISSED, dismissedAdvice);
    } catch (e) {
      // Storage turned off: dismissed until the page loads again.
    }
  });

  function showState(element, state) {
    element.textContent = state;
    element.className = 'state ' + state;
  }

  function showFigures(card, image) {
    const node = card.node;
    node.className = 'card ' + image.state + (card.pictures > 0 ? ' has-picture' : '');
    showState(node.querySelector('.state'), image.state);
    node.querySelector('.fetch').textContent = Number(image.average_fetch_fps).toFixed(1) + ' fps ('
        + image.fetches_ok + ' ok, ' + image.fetches_failed + ' failed)';
    node.querySelector('.viewers').textContent = image.streams.length;
    node.querySelector('.updated').textContent = image.last_updated ? new Date(image.last_updated).toLocaleTimeString() : 'never';
    node.querySelector('.last-error').textContent = image.state === 'fresh' || !image.last_error ? '' : 'last error: ' + image.last_error;
  }

  // ---- previews: at most PREVIEWS_IN_FLIGHT snapshot requests at once, each card about once a second

  let previewsInFlight = 0;
  let pumpTimer = null;

  /** Whether a snapshot request can give the card a picture: the image has one, or rests and would be woken. */
  function wantsPreview(card) {
    return card.image !== null && (card.image.last_updated !== null || card.image.state === 'idle');
  }

  /** Starts the previews that are due, most overdue first, and plans the next round. */
  function pump() {
    clearTimeout(pumpTimer);
    pumpTimer = null;
    if (document.hidden || connection !== 'ok') {
      return;
    }
    const now = performance.now();
    const waiting = [...cards.values()].filter((card) => !card.busy && wantsPreview(card)).sort((a, b) => a.due - b.due);
    for (const card of waiting) {
      if (previewsInFlight >= PREVIEWS_IN_FLIGHT) {
        return;
      }
      if (card.due > now) {
        pumpTimer = setTimeout(pump, card.due - now);
        return;
      }
      loadPreview(card);
    }
  }

  async function loadPreview(card) {
    card.busy = true;
    previewsInFlight++;
    // At a fixed rate, not a fixed pause after each answer: a late start is made up by the next, so a busy moment
    // does not slow the preview below one picture a second. Never more than one behind, so no burst follows a pause.
    const now = performance.now();
    card.due = Math.max(card.due + PREVIEW_INTERVAL_MS, now);
    try {
      const response = await request(previewUrl(card.id), card.etag ? { 'If-None-Match': card.etag } : {});
      if (response.status === 200) {
        const etag = response.headers.get('ETag');
        if (await showPicture(card, await response.blob())) {
          card.etag = etag;
        }
      } else if (response.status !== 304) {
        // 503: stale or no picture yet; the card's state and last error say why.
        card.due = performance.now() + PREVIEW_RETRY_MS;
      }
    } catch (e) {
      card.due = performance.now() + PREVIEW_RETRY_MS;
    } finally {
      card.busy = false;
      previewsInFlight--;
      pump();
    }
  }

  /**
   * Decodes the picture off screen, then shows it and frees the previous one: no flicker, and no blob left behind
   * however long the page stays open.
   */
  async function showPicture(card, blob) {
    const url = URL.createObjectURL(blob);
    const decoded = new Image();
    decoded.src = url;
    try {
      await decoded.decode();
    } catch (e) {
      URL.revokeObjectURL(url);
      return false;
    }
    if (!cards.has(card.id)) {
      URL.revokeObjectURL(url);
      return false;
    }
    const previous = card.objectUrl;
    card.objectUrl = url;
    card.img.src = url;
    if (previous) {
      URL.revokeObjectURL(previous);
    }
    card.pictures++;
    card.node.dataset.pictures = card.pictures;
    card.node.classList.add('has-picture');
    return true;
  }

  // ---- the large view: the image's own stream at its stream_fps, ended when the view closes

  let viewerId = null;
  const viewer = $('viewer');
  const viewerImg = $('viewer-img');

  function openViewer(id) {
    viewerId = id;
    $('viewer-id').textContent = id;
    showState($('viewer-state'), cards.get(id).image.state);
    viewerImg.src = withToken(streamUrl(id));
    const stream = absolute(withToken(streamUrl(id)));
    const snapshot = absolute(withToken(imagePath(id)));
    $('copy-stream').value = stream;
    $('copy-snapshot').value = snapshot;
    // go2rtc sends the token as a header (#header=); Home Assistant's MJPEG IP Camera takes URLs only.
    const plainStream = absolute(streamUrl(id));
    $('copy-go2rtc').textContent = 'streams:\n  ' + id + ': ' + (token
      ? '"' + plainStream + '#header=Authorization: Bearer ' + token + '"' : plainStream);
    $('copy-ha').textContent = '# Settings > Devices & services > Add integration > MJPEG IP Camera\n'
        + 'MJPEG URL: ' + stream + '\nStill Image URL: ' + snapshot;
    viewer.showModal();
  }

  // Clearing the source ends the stream: the server sees its viewer leave.
  viewer.addEventListener('close', () => {
    viewerId = null;
    viewerImg.removeAttribute('src');
  });
  $('viewer-close').addEventListener('click', () => viewer.close());
  viewer.addEventListener('click', (event) => {
    if (event.target === viewer) {
      viewer.close();
    }
  });

  for (const button of document.querySelectorAll('[data-copy]')) {
    button.addEventListener('click', () => copy(button, $(button.dataset.copy)));
  }

  async function copy(button, source) {
    const text = source.value !== undefined ? source.value : source.textContent;
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      // Not a secure context (a plain http:// address other than localhost): copy the selection the old way.
      const selection = getSelection();
      selection.selectAllChildren(source);
      if (source.select) {
        source.select();
      }
      document.execCommand('copy');
    }
    button.textContent = 'copied';
    setTimeout(() => { button.textContent = 'copy'; }, 1500);
  }

  // ---- a hidden tab asks for nothing: no list, no previews, no stream

  document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
      clearTimeout(listTimer);
      clearTimeout(pumpTimer);
      viewerImg.removeAttribute('src');
    } else {
      if (viewerId !== null) {
        viewerImg.src = withToken(streamUrl(viewerId));
      }
      refreshList();
      pump();
    }
  });

  refreshList();
})();
