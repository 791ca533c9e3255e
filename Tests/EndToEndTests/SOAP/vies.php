<?php
// A stand-in for the EU's VIES VAT-number service, behind PHP's SoapServer in WSDL mode with the
// real checkVatService.wsdl from the shared corpus (path in VIES_WSDL), run by
// `php -S 127.0.0.1:PORT vies.php`. It answers the way VIES does: the requestDate with a time
// zone, "---" where a member state does not disclose the trader (Germany), nil name and address
// for some, and errors as soap:Server faults whose faultstring is the error's name
// (INVALID_INPUT, MS_UNAVAILABLE).
ini_set('soap.wsdl_cache_enabled', '0');

class Vies {
    private const TRADERS = [
        'FR40303265045' => ['name' => 'SA ODIGEO FRANCE', 'address' => "1 RUE DE LA PAIX\n75002 PARIS"],
        'DE811907980' => ['name' => '---', 'address' => '---'],
        'BE0403170701' => ['name' => null, 'address' => null],
    ];

    public function checkVat($request) {
        $country = $request->countryCode;
        if (!preg_match('/^[A-Z]{2}$/', $country) || $country === 'XX') {
            throw new SoapFault('Server', 'INVALID_INPUT');
        }
        if ($country === 'ES') {
            throw new SoapFault('Server', 'MS_UNAVAILABLE');
        }
        $key = $country . $request->vatNumber;
        $known = self::TRADERS[$key] ?? null;
        $answer = ['countryCode' => $country, 'vatNumber' => $request->vatNumber, 'requestDate' => '2026-11-27+01:00', 'valid' => $known !== null];
        $answer['name'] = $known === null ? '---' : $known['name'];
        $answer['address'] = $known === null ? '---' : $known['address'];
        return $answer;
    }

    public function checkVatApprox($request) {
        $basic = $this->checkVat($request);
        $answer = [
            'countryCode' => $basic['countryCode'], 'vatNumber' => $basic['vatNumber'], 'requestDate' => $basic['requestDate'],
            'valid' => $basic['valid'], 'traderName' => $basic['name'],
        ];
        if (isset($request->traderName)) {
            $answer['traderNameMatch'] = strcasecmp($request->traderName, (string)$basic['name']) === 0 ? '1' : '2';
        }
        if (isset($request->traderCompanyType)) {
            $answer['traderCompanyType'] = $request->traderCompanyType;
            $answer['traderCompanyTypeMatch'] = '2';
        }
        $answer['requestIdentifier'] = 'WAPIAAAAW' . substr(sha1($basic['countryCode'] . $basic['vatNumber']), 0, 8);
        return $answer;
    }
}

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    http_response_code(405);
    exit;
}
$server = new SoapServer(getenv('VIES_WSDL'), ['cache_wsdl' => WSDL_CACHE_NONE]);
$server->setClass('Vies');
$server->handle();
