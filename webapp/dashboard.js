// The dashboard: one card per image with a live preview, fed by GET /images every two seconds.
// Relative URLs, so it works at / and under any context path; a ?token= on the page is passed along.
(function () {
  'use strict';
  const token = new URLSearchParams(location.search).get('token');
  const withToken = (url) => token ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : url;
  const cards = new Map();
  const main = document.getElementById('images');
  const template = document.getElementById('card');

  function card(id) {
    let node = cards.get(id);
    if (!node) {
      node = template.content.firstElementChild.cloneNode(true);
      node.dataset.id = id;
      node.querySelector('.id').textContent = id;
      const path = 'images/' + encodeURIComponent(id);
      // A low rate is enough for a preview and keeps the fetch rate of the camera down.
      node.querySelector('img').src = withToken(path + '/stream?frame_rate=2');
      node.querySelector('.snapshot').href = withToken(path);
      node.querySelector('.stream').href = withToken(path + '/stream');
      main.appendChild(node);
      cards.set(id, node);
    }
    return node;
  }

  function render(images) {
    const ids = Object.keys(images);
    for (const [id, node] of cards) {
      if (!ids.includes(id)) { node.remove(); cards.delete(id); }
    }
    let fresh = 0;
    for (const id of ids) {
      const image = images[id];
      const node = card(id);
      const state = node.querySelector('.state');
      state.textContent = image.state;
      state.className = 'state ' + image.state;
      if (image.state === 'fresh') fresh++;
      node.querySelector('.fetch').textContent = image.average_fetch_fps.toFixed(1) + ' fps ('
          + image.fetches_ok + ' ok, ' + image.fetches_failed + ' failed)';
      node.querySelector('.viewers').textContent = image.streams.length;
      node.querySelector('.updated').textContent = image.last_updated ? new Date(image.last_updated).toLocaleTimeString() : 'never';
      node.querySelector('.last-error').textContent = image.state === 'fresh' || !image.last_error ? '' : 'last error: ' + image.last_error;
    }
    document.getElementById('summary').textContent = ids.length + ' image(s), ' + fresh + ' fresh';
  }

  async function refresh() {
    const error = document.getElementById('error');
    try {
      const response = await fetch(withToken('images'), { cache: 'no-store' });
      if (!response.ok) throw new Error((await response.text()).trim() || response.status);
      render(await response.json());
      error.hidden = true;
    } catch (e) {
      error.textContent = 'Cannot load the image list: ' + e.message;
      error.hidden = false;
    }
  }

  refresh();
  setInterval(refresh, 2000);
})();
