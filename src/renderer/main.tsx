import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ClientProvider } from './contract-hooks.js';
import { initI18n } from './i18n/index.js';
import { selectClient } from './transport/select.js';
import { App } from './App.js';
import './styles.css';

const client = selectClient();
void initI18n().then(() => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <ClientProvider client={client}>
        <App />
      </ClientProvider>
    </StrictMode>,
  );
});
