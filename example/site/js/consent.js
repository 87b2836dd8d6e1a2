window.consent = document.cookie.includes('consent=1');
