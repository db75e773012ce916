/* global SwaggerUIBundle */
// In a file of its own, not inline: the Content-Security-Policy allows scripts from the gateway only.
SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs' });
