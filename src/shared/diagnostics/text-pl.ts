/**
 * Polish words for every diagnosis, keyed like `DIAGNOSIS_TEXT` (the English table, the source);
 * the same `{{params}}`. Typed as a full record, so a new text key without Polish does not compile.
 */
import type { DiagnosisTextKey } from './text.js';

export const DIAGNOSIS_TEXT_PL: Record<DiagnosisTextKey, { message: string; fix: string }> = {
  OAUTH_REJECTED: {
    message: 'Bitbucket odrzucił dane OAuth runnera, więc runner nie może się zalogować ani przejść w stan online.',
    fix: 'Sprawdź, czy OAUTH_CLIENT_ID i OAUTH_CLIENT_SECRET są dokładnie takie, jak pokazał Bitbucket (nie ucięte, nie zakodowane base64 drugi raz). W razie wątpliwości usuń runnera w Bitbucket, dodaj go ponownie i wklej nowe polecenie.',
  },
  RUNNER_CONFLICT: {
    message: 'Dwa procesy używają tego samego UUID runnera, a Bitbucket odrzuca ich jednoczesne zmiany stanu.',
    fix: 'Zatrzymaj drugą kopię tego runnera (inny kontener, host lub pod Kubernetes z tym samym RUNNER_UUID) albo zarejestruj osobnego runnera dla każdej maszyny.',
  },
  UNHEALTHY_CLEANUP: {
    message: 'Runner nie mógł posprzątać swojego katalogu roboczego po kroku i Bitbucket oznaczy go jako niesprawny.',
    fix: 'Pozwól runnerowi usuwać pliki w jego katalogu roboczym (np. pliki utworzone przez krok jako root przez bind mount), zamknij to, co je trzyma otwarte, i uruchom runnera ponownie.',
  },
  DIND_VERSION_MISMATCH: {
    message: 'Obraz usługi docker-in-docker nie pasuje do wersji silnika Docker na hoście, więc kontenery uruchamiane w kroku zawodzą.',
    fix: 'Użyj obrazu docker:{{hostDockerVersion}}-dind dla usługi docker (definitions: services: docker: image: docker:{{hostDockerVersion}}-dind), w tej samej wersji co silnik na hoście.',
  },
  'DIND_VERSION_MISMATCH.noVersion': {
    message: 'Obraz usługi docker-in-docker nie pasuje do wersji silnika Docker na hoście, więc kontenery uruchamiane w kroku zawodzą.',
    fix: 'Użyj obrazu docker:<wersja hosta>-dind dla usługi docker, gdzie <wersja hosta> to wersja silnika na hoście (pokazuje ją `docker version` na hoście).',
  },
  MEMORY_LIMIT: {
    message: 'Kontenerowi build kroku zabrakło pamięci i został zatrzymany.',
    fix: 'Zwiększ pamięć kroku przez size: 2x, 4x lub 8x w bitbucket-pipelines.yml (runnery pozwalają do 8x = 32 GiB) albo zmniejsz zużycie pamięci przez build.',
  },
  'MEMORY_LIMIT.service': {
    message: 'Usłudze „{{container}}” w kroku zabrakło pamięci i została zatrzymana.',
    fix: 'Zwiększ pamięć usługi w bitbucket-pipelines.yml (definitions: services: {{container}}: memory: …) oraz rozmiar kroku, jeśli suma przestanie się mieścić.',
  },
  STEP_RESOURCES: {
    message: 'Usługi kroku rezerwują więcej pamięci, niż krok ma, więc krok nie może wystartować.',
    fix: 'Zwiększ rozmiar kroku (2x, 4x lub 8x) albo zmniejsz pamięć jego usług w bitbucket-pipelines.yml.',
  },
  PRIVILEGED_DENIED: {
    message:
      'Krok próbował uruchomić kontener uprzywilejowany. Bitbucket Pipelines ze względów bezpieczeństwa nie pozwala na --privileged, także na własnych runnerach Linux Docker.',
    fix: 'Usuń --privileged (i opcje, które go wymagają) z poleceń docker w kroku; do budowania obrazów użyj zwykłego docker build lub buildx bez trybu uprzywilejowanego. Żadne ustawienie runnera tego nie zmienia.',
  },
  IMAGE_UNAVAILABLE: {
    message: 'Nie udało się pobrać obrazu: {{image}}.',
    fix: 'Sprawdź sieć i DNS hosta, czy nazwa i tag obrazu istnieją, a dla prywatnych rejestrów zaloguj się na hoście (docker login) lub podaj dane logowania obrazu kroku w bitbucket-pipelines.yml.',
  },
  REGISTRY_RATE_LIMIT: {
    message: 'Docker Hub odmówił pobrania obrazu, bo wyczerpano limit pobrań.',
    fix: 'Zaloguj się do Docker Hub na hoście (docker login) albo podaj username i password obrazu kroku w bitbucket-pipelines.yml; pobrania z logowaniem mają wyższy limit.',
  },
  DOCKER_UNREACHABLE: {
    message: 'Runner nie może połączyć się z silnikiem Docker, więc nie uruchomi kontenerów kroków.',
    fix: 'Upewnij się, że Docker działa i że kontener runnera ma zamontowane gniazdo silnika (-v /var/run/docker.sock:/var/run/docker.sock) z prawem do jego użycia.',
  },
  DISK_FULL: {
    message: 'Dysk jest pełny (no space left on device).',
    fix: 'Zwolnij miejsce w katalogu roboczym runnera i w katalogu danych Dockera, np. przez docker system prune, albo daj im większy dysk.',
  },
  CLOCK_SKEW: {
    message: 'Zegar hosta wygląda na błędny: certyfikaty lub tokeny odrzucono jako jeszcze nieważne.',
    fix: 'Zsynchronizuj zegar: sudo timedatectl set-ntp true (sprawdź przez timedatectl status) albo włącz synchronizację czasu w maszynie wirtualnej Docker Desktop, uruchamiając ją ponownie.',
  },
  CGROUP_V1_EXPECTED: {
    message: 'Ta wersja runnera oczekuje plików pamięci cgroup v1, a host używa cgroup v2.',
    fix: 'Pobierz aktualny obraz runnera (docker pull docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1) i utwórz runnera ponownie; obsługuje cgroup v2.',
  },
  NETWORK_UNREACHABLE: {
    message: 'Runner nie może połączyć się z Bitbucket ani Atlassian przez sieć (nie udało się rozwiązać nazwy lub połączyć).',
    fix: 'Sprawdź dostęp hosta do internetu, DNS i zaporę; runner potrzebuje wychodzącego HTTPS do bitbucket.org, api.atlassian.com, auth.atlassian.com i punktów końcowych Pipelines. Za proxy przekaż runnerowi jego ustawienia.',
  },
  TLS_UNTRUSTED: {
    message: 'Runner nie ufa pokazanemu certyfikatowi TLS, zwykle dlatego, że proxy przechwytuje HTTPS.',
    fix: 'Wyłącz inspekcję TLS dla ruchu runnera albo dodaj certyfikat CA proxy do magazynu zaufanych certyfikatów Javy w runnerze.',
  },
};
