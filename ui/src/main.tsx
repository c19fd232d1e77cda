import { render } from 'preact';
import { App } from './components/App';
import { initI18n, savedLanguage } from './i18n';
import './styles.css';

initI18n(savedLanguage()).then(() => {
  render(<App />, document.getElementById('app')!);
});
